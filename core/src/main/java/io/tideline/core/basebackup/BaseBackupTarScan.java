package io.tideline.core.basebackup;

import io.tideline.core.storage.ReadThroughInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a base backup's WAL range out of its own tar stream ({@code pg_basebackup -X none -Ft -D -})
 * while passing the stream, byte for byte, to a sink (a compressor). {@code -X none} does not print
 * the start and end points; the stream says them: {@code backup_label} (first member: start LSN and
 * timeline) and the {@code backup_manifest} pg_basebackup appends to a tar written to stdout (last
 * member: {@code WAL-Ranges}, whose end is the backup's end LSN).
 *
 * <p>Every byte read from the source goes to the sink exactly once and in order, whoever reads it (the
 * tar walker, its skips of members we do not look at, or the final drain of the end-of-archive
 * padding and whatever follows it), so the stored stream is exactly what the server sent.
 */
public final class BaseBackupTarScan {

    /** Told of the two members as they pass; called on the reading thread. */
    public interface Observer {
        default void onLabel(BackupLabel label) {
        }

        default void onServerManifest(ServerManifest manifest) {
        }
    }

    /** The whole stream went through; {@code rawBytes} were passed to the sink. */
    public record Result(BackupLabel label, ServerManifest manifest, long rawBytes) {

        public Result {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(manifest, "manifest");
        }

        /**
         * The label and the manifest must name the same start (timeline and LSN): were they to differ,
         * nobody could say where replay of this backup begins, so it must not be described as usable.
         *
         * @throws IllegalStateException naming both when they disagree
         */
        public void requireAgreement() {
            if (manifest.startTimeline() != label.timeline() || !manifest.start().equals(label.startLsn())) {
                throw new IllegalStateException("the server's backup_manifest " + manifest.walRanges()
                        + " contradicts its backup_label " + label);
            }
        }
    }

    private static final int COPY_BUFFER = 1024 * 1024;
    /** A backup_label is a few hundred bytes; anything this large is not one. */
    private static final int MAX_LABEL_BYTES = 64 * 1024;

    private BaseBackupTarScan() {
    }

    /** {@link #read(InputStream, OutputStream, Observer)} for a caller that needs no word before the end. */
    public static Result read(InputStream source, OutputStream sink) throws IOException {
        return read(source, sink, new Observer() {
        });
    }

    /**
     * Reads {@code source} to its end. Fails (and the caller must not store a manifest) when the stream
     * is not a tar, or lacks either member: without them the backup's WAL range is unknown.
     */
    public static Result read(InputStream source, OutputStream sink, Observer observer) throws IOException {
        Objects.requireNonNull(observer, "observer");
        Copying copying = new Copying(source, sink);
        BackupLabel label = null;
        ServerManifest manifest = null;
        TarArchiveInputStream tar = new TarArchiveInputStream(copying);
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            String name = entry.getName();
            if (label == null && BackupLabel.FILE_NAME.equals(name)) {
                if (entry.getSize() > MAX_LABEL_BYTES) {
                    throw new IOException("backup_label of " + entry.getSize() + " bytes: not a backup label");
                }
                label = BackupLabel.parse(new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                observer.onLabel(label);
            } else if (ServerManifest.FILE_NAME.equals(name)) {
                manifest = ServerManifest.parse(tar);
                observer.onServerManifest(manifest);
            }
            // other members are skipped by the next getNextEntry(), through Copying.skip
        }
        copying.drain();
        if (label == null) {
            throw new IOException("the backup stream has no backup_label: not a pg_basebackup tar of a data directory");
        }
        if (manifest == null) {
            throw new IOException("the backup stream has no backup_manifest: its end point is unknown"
                    + " (pg_basebackup must not run with --no-manifest)");
        }
        return new Result(label, manifest, copying.count);
    }

    /** The tee: what is read (or skipped) from the source is written to the sink first. */
    private static final class Copying extends ReadThroughInputStream {
        private final OutputStream sink;
        private long count;

        Copying(InputStream source, OutputStream sink) {
            super(Objects.requireNonNull(source, "source"), COPY_BUFFER);
            this.sink = Objects.requireNonNull(sink, "sink");
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                sink.write(b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                sink.write(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public void close() {
            // the caller owns the source; the walker must not close it before drain()
        }
    }
}
