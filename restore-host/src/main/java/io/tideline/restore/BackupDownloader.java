package io.tideline.restore;

import com.github.luben.zstd.ZstdInputStream;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StorageErrors;
import io.tideline.core.storage.StorageException;
import java.io.BufferedInputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongConsumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Puts a base backup into an empty data directory. The backup's objects form ONE zstd stream of one tar
 * ({@code data.tar.zst.part0001}, {@code ...0002}, ...): the first part is streamed straight into the
 * decompressor while the others download in parallel into a work directory; each part is checked against
 * the sha256 the manifest records ({@link ObjectStore#openVerified}) before anything after it is read,
 * the whole stream is read to its end (so the last part is verified too) and the unpacked size must be the
 * manifest's. Entries are unpacked only inside the data directory; links are refused (a Tideline backup
 * has none: tablespaces are not supported).
 */
public final class BackupDownloader {

    private static final int BUFFER = 1 << 20;

    private final int parallelism;

    public BackupDownloader(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.parallelism = parallelism;
    }

    /**
     * @param progress told the uncompressed bytes unpacked so far
     * @return the uncompressed bytes unpacked (the manifest's {@code rawBytes})
     * @throws RestoreFailure naming the object or entry when the backup cannot be restored
     */
    public long restore(ObjectStore store, BackupManifest manifest, Path dataDir, Path workDir, LongConsumer progress) {
        List<BackupManifest.Part> parts = manifest.parts();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, parts.size() - 1)), r -> {
            Thread t = new Thread(r, "backup-download");
            t.setDaemon(true);
            return t;
        });
        List<CompletableFuture<Path>> later = new ArrayList<>();
        PartStreams streams = new PartStreams(store, parts, later);
        try {
            Files.createDirectories(workDir);
            for (int i = 1; i < parts.size(); i++) {
                BackupManifest.Part part = parts.get(i);
                Path file = workDir.resolve("part" + i);
                later.add(CompletableFuture.supplyAsync(() -> download(store, part, file), pool));
            }
            long raw = unpackStream(new SequenceInputStream(streams), dataDir, progress);
            if (streams.opened != parts.size()) {
                throw new RestoreFailure("backup " + manifest.backupId() + " ended after " + streams.opened + " of its "
                        + parts.size() + " parts: the stored data is not what the manifest describes");
            }
            if (raw != manifest.rawBytes()) {
                throw new RestoreFailure("backup " + manifest.backupId() + " unpacked to " + raw + " bytes, but its manifest says "
                        + manifest.rawBytes());
            }
            return raw;
        } catch (IOException | UncheckedIOException e) {
            throw explain(manifest, e, streams);
        } catch (CompletionException e) {
            throw explain(manifest, e.getCause(), streams);
        } finally {
            later.forEach(f -> f.cancel(true));
            pool.shutdownNow();
            deleteQuietly(workDir);
        }
    }

    /**
     * Unpacks one zstd-compressed tar into {@code dataDir}, reading the stream to its very end (past the tar's
     * end marker, so every part behind it is hashed to its end); returns the uncompressed bytes read.
     */
    public static long unpackStream(InputStream compressedTar, Path dataDir, LongConsumer progress) throws IOException {
        Counting counted = new Counting(new ZstdInputStream(new BufferedInputStream(compressedTar, BUFFER)), progress);
        try (ReadAhead decompressed = new ReadAhead(counted);
             TarArchiveInputStream tar = new TarArchiveInputStream(decompressed)) {
            unpack(tar, dataDir);
            decompressed.transferTo(OutputStream.nullOutputStream());
            return counted.count; // the reading thread has ended: it counted everything
        }
    }

    private static Path download(ObjectStore store, BackupManifest.Part part, Path file) {
        try (InputStream in = store.openVerified(part.key(), part.sha256())) {
            Files.copy(in, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void unpack(TarArchiveInputStream tar, Path dataDir) throws IOException {
        Path root = dataDir.toAbsolutePath().normalize();
        // Large writes: relation files are up to 1 GiB, and Files.copy would write them 8 KiB at a time.
        byte[] buffer = new byte[BUFFER];
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            Path target = root.resolve(entry.getName()).normalize();
            if (!target.startsWith(root) || target.equals(root) && !entry.isDirectory()) {
                throw new RestoreFailure("backup entry '" + entry.getName() + "' lies outside the data directory; refused");
            }
            if (entry.isDirectory()) {
                Files.createDirectories(target);
            } else if (entry.isFile()) {
                Files.createDirectories(target.getParent());
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    int n;
                    while ((n = tar.read(buffer)) > 0) {
                        out.write(buffer, 0, n);
                    }
                }
            } else {
                throw new RestoreFailure("backup entry '" + entry.getName() + "' is a link or special file; a Tideline "
                        + "backup holds only files and directories");
            }
        }
    }

    /**
     * The reason for a failed unpack. zstd's own frame checksum, or a tar header that makes no sense,
     * usually trips over a damaged part before the part's end is reached and its sha256 compared; then
     * the part being read is verified on its own, so the reason still names the object.
     */
    private static RestoreFailure explain(BackupManifest manifest, Throwable e, PartStreams streams) {
        RestoreFailure direct = explain(manifest, e);
        if (direct != null) {
            return direct;
        }
        Optional<BackupManifest.Part> reading = streams.reading();
        if (reading.isPresent()) {
            try (InputStream in = streams.store.openVerified(reading.get().key(), reading.get().sha256())) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException | RuntimeException verification) {
                RestoreFailure named = explain(manifest, verification);
                if (named != null) {
                    return named;
                }
            }
        }
        return new RestoreFailure("cannot unpack backup " + manifest.backupId() + ": " + e, e);
    }

    /** The reason a cause in {@code e}'s chain names (a mismatch, a missing object, the store), or null. */
    private static RestoreFailure explain(BackupManifest manifest, Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof RestoreFailure f) {
                return f;
            }
            if (c instanceof StorageException s) {
                return explain(manifest, s, e);
            }
        }
        return null;
    }

    /** The reason for a storage failure, by what {@link StorageErrors} says it is. */
    private static RestoreFailure explain(BackupManifest manifest, StorageException s, Throwable e) {
        String object = s.key().orElse("?");
        return switch (StorageErrors.classify(s)) {
            case CORRUPT -> new RestoreFailure("checksum mismatch in backup object " + object + " of bucket " + s.bucket() + ": "
                    + (s instanceof ChecksumMismatchException m && m.expected() != null
                    ? "the manifest records sha256 " + m.expected() + ", the object has " + m.actual() : s.getMessage()), e);
            case NOT_FOUND -> new RestoreFailure("backup object " + object + " of bucket " + s.bucket()
                    + " is missing (backup " + manifest.backupId() + ")", e);
            default -> new RestoreFailure("cannot read backup " + manifest.backupId() + " from bucket " + s.bucket() + ": "
                    + s.getMessage(), e);
        };
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover work file is removed with the instance directory
        }
    }

    /** The parts in order: the first streamed from the store, the others from their verified downloads. */
    private static final class PartStreams implements Enumeration<InputStream> {
        private final ObjectStore store;
        private final List<BackupManifest.Part> parts;
        private final List<CompletableFuture<Path>> later;
        private volatile int opened;

        PartStreams(ObjectStore store, List<BackupManifest.Part> parts, List<CompletableFuture<Path>> later) {
            this.store = store;
            this.parts = parts;
            this.later = later;
        }

        /** The part streamed from the store while it is being read (later parts were verified when downloaded). */
        Optional<BackupManifest.Part> reading() {
            return opened == 1 ? Optional.of(parts.get(0)) : Optional.empty();
        }

        @Override
        public boolean hasMoreElements() {
            return opened < parts.size();
        }

        @Override
        public InputStream nextElement() {
            if (!hasMoreElements()) {
                throw new NoSuchElementException();
            }
            int index = opened++;
            if (index == 0) {
                BackupManifest.Part first = parts.get(0);
                return store.openVerified(first.key(), first.sha256());
            }
            Path file = later.get(index - 1).join();
            try {
                return new FilterInputStream(Files.newInputStream(file)) {
                    @Override
                    public void close() throws IOException {
                        super.close();
                        Files.deleteIfExists(file);
                    }
                };
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Reads (download, sha256, zstd) on a thread of its own, a few chunks ahead of the tar reader, which
     * writes the files: one stream is sequential by nature, but its two halves then use two cores.
     * A failure of the reading side surfaces, with its cause, at the reader's next read.
     * The chunks are a fixed set of buffers passed back and forth: a restore moves gigabytes, and fresh
     * arrays for each (as {@code readNBytes} makes) had a cold JVM page in new heap at every young
     * collection, which made the first restore of a process up to twice as slow as the next.
     */
    private static final class ReadAhead extends InputStream {
        private static final int CHUNK = 1 << 20;
        private static final int AHEAD = 8;
        private static final Chunk END = new Chunk(new byte[0], 0);

        private record Chunk(byte[] buffer, int length) {
        }

        private final BlockingQueue<Chunk> filled = new ArrayBlockingQueue<>(AHEAD + 1);
        private final BlockingQueue<byte[]> empty = new ArrayBlockingQueue<>(AHEAD + 2);
        private final Thread reader;
        private volatile Throwable failure;
        private Chunk current;
        private int position;

        ReadAhead(InputStream source) {
            for (int i = 0; i < AHEAD + 2; i++) {
                empty.add(new byte[CHUNK]);
            }
            reader = new Thread(() -> {
                try (source) {
                    while (true) {
                        byte[] buffer = empty.take();
                        int length = source.readNBytes(buffer, 0, buffer.length);
                        if (length == 0) {
                            break;
                        }
                        filled.put(new Chunk(buffer, length));
                    }
                    filled.put(END);
                } catch (InterruptedException e) {
                    // closed before the end: nobody reads any more
                } catch (Throwable t) {
                    failure = t;
                    filled.clear(); // what is queued is worthless now; the reader must see the failure next
                    filled.offer(END);
                }
            }, "backup-decompress");
            reader.setDaemon(true);
            reader.start();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (current == null || position == current.length()) {
                if (current == END) {
                    return -1;
                }
                if (current != null) {
                    empty.offer(current.buffer());
                }
                try {
                    current = filled.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while unpacking");
                }
                position = 0;
                if (current == END) {
                    joinReader();
                    if (failure != null) {
                        throw new IOException("reading the backup failed: " + failure.getMessage(), failure);
                    }
                    return -1;
                }
            }
            int n = Math.min(length, current.length() - position);
            System.arraycopy(current.buffer(), position, buffer, offset, n);
            position += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            reader.interrupt();
            filled.clear();
            joinReader();
        }

        private void joinReader() throws IOException {
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while unpacking");
            }
        }
    }

    /** Counts the uncompressed bytes and reports them. */
    private static final class Counting extends FilterInputStream {
        private final LongConsumer progress;
        private long count;

        Counting(InputStream in, LongConsumer progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                progress.accept(++count);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
                progress.accept(count);
            }
            return n;
        }
    }
}
