package io.tideline.restore;

import com.github.luben.zstd.ZstdOutputStream;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.ReadableBytes;
import io.tideline.core.config.Require;
import io.tideline.core.storage.Sha256;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a small restore pipeline once when a restore service or agent starts, so the first real restore is as
 * fast as later ones: zstd's native library loaded, sha256, zstd and tar code compiled by the JIT, the unpack
 * threads' code paths and buffers used once. Made of a synthetic backup in memory (relation-like files of
 * compressible pages), hashed, unpacked into a temporary directory by {@link BackupDownloader#unpackStream} and
 * removed. The S3 client's warm-up is the caller's ({@code ObjectStores.warmUp}), where it has one.
 */
public final class RestoreWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreWarmUp.class);
    private static final int FILE_BYTES = 1 << 20;

    /**
     * {@code tideline.restore.warm-up.*}.
     *
     * @param enabled false: no warm-up (the first restore then runs on cold code)
     * @param bytes   size of the synthetic backup unpacked at start-up
     */
    @ConfigurationProperties(Settings.PREFIX)
    public record Settings(@Bindable(defaultValue = "true") boolean enabled,
                           @Bindable(defaultValue = "16MB") @ReadableBytes long bytes) {
        public static final String PREFIX = "tideline.restore.warm-up";

        public Settings {
            Require.between(bytes, FILE_BYTES, 1L << 30, PREFIX + ".bytes");
        }
    }

    private RestoreWarmUp() {
    }

    /** Runs the warm-up on a daemon thread of its own (start-up does not wait for it); never throws. */
    public static void inBackground(Settings settings, Runnable alsoWarm) {
        if (!settings.enabled()) {
            return;
        }
        Thread thread = new Thread(() -> {
            long started = System.nanoTime();
            try {
                alsoWarm.run();
                run(settings.bytes());
                LOG.info("restore code warmed up in {} ms", (System.nanoTime() - started) / 1_000_000);
            } catch (RuntimeException | IOException e) {
                LOG.warn("restore warm-up failed (the first restore may be slower): {}", e.toString());
            }
        }, "restore-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    /** One synthetic backup of about {@code bytes}, compressed, hashed and unpacked into a temporary directory. */
    static void run(long bytes) throws IOException {
        byte[] compressed = syntheticBackup(bytes);
        Sha256.of(compressed);
        Path dir = Files.createTempDirectory("tideline-restore-warm-up");
        try {
            BackupDownloader.unpackStream(new ByteArrayInputStream(compressed), dir, n -> { });
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (UncheckedIOException e) {
                // a temporary file left behind is harmless
            }
        }
    }

    private static byte[] syntheticBackup(long bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) (bytes / 4));
        SplittableRandom random = new SplittableRandom(18);
        byte[] file = new byte[FILE_BYTES];
        try (ZstdOutputStream zstd = new ZstdOutputStream(out, 1);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(zstd)) {
            for (int i = 0; (long) i * FILE_BYTES < bytes; i++) {
                // 8 KiB pages, half of each random and half zeros: compresses about as a table does
                for (int page = 0; page < FILE_BYTES; page += 8192) {
                    for (int b = page; b < page + 4096; b += 8) {
                        long v = random.nextLong();
                        for (int k = 0; k < 8; k++) {
                            file[b + k] = (byte) (v >>> (8 * k));
                        }
                    }
                }
                TarArchiveEntry entry = new TarArchiveEntry("base/1/" + (16384 + i));
                entry.setSize(FILE_BYTES);
                tar.putArchiveEntry(entry);
                tar.write(file);
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return out.toByteArray();
    }
}
