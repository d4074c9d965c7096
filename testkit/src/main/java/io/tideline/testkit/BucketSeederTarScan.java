package io.tideline.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.core.wal.Lsn;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads the WAL range of a base backup out of its own tar stream while the stream is copied elsewhere.
 * {@code pg_basebackup -X none} (PostgreSQL 15) does not print its start and end points even with
 * {@code -v}; the stream itself says them: {@code backup_label} (first entry: {@code START WAL LOCATION},
 * {@code START TIMELINE}) and the {@code backup_manifest} that pg_basebackup appends to a tar written to
 * stdout ({@code WAL-Ranges}: where replay must begin and end). One pass, one thread: every byte the tar
 * reader pulls is passed on, and whatever follows the tar's end is passed on too.
 */
final class BucketSeederTarScan {

    /** Where recovery from the backup begins and where it becomes consistent. */
    record WalRange(long timeline, Lsn start, Lsn end) {
    }

    private static final Pattern START = Pattern.compile("START WAL LOCATION: ([0-9A-F]+/[0-9A-F]+)");
    private static final Pattern TIMELINE = Pattern.compile("START TIMELINE: (\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private String label;
    private byte[] manifest;

    /** Copies {@code tar} to {@code out} entirely, noting the label and manifest on the way; returns the bytes copied. */
    long copy(InputStream tar, OutputStream out) throws IOException {
        Tee tee = new Tee(tar, out);
        TarArchiveInputStream entries = new TarArchiveInputStream(tee);
        TarArchiveEntry entry;
        while ((entry = entries.getNextEntry()) != null) {
            if (entry.getName().equals("backup_label")) {
                label = new String(entries.readAllBytes(), StandardCharsets.UTF_8);
            } else if (entry.getName().equals("backup_manifest")) {
                manifest = entries.readAllBytes();
            }
        }
        // Trailing zero blocks the tar reader did not need must still reach the copy.
        byte[] rest = new byte[8192];
        while (tee.read(rest, 0, rest.length) >= 0) {
            // passed on by the tee
        }
        return tee.count;
    }

    WalRange range() {
        if (label == null) {
            throw new IllegalStateException("the base backup stream has no backup_label");
        }
        if (manifest == null) {
            throw new IllegalStateException("the base backup stream has no backup_manifest (was it written to stdout?)");
        }
        Matcher start = START.matcher(label);
        Matcher timeline = TIMELINE.matcher(label);
        if (!start.find() || !timeline.find()) {
            throw new IllegalStateException("backup_label lacks START WAL LOCATION or START TIMELINE:\n" + label);
        }
        JsonNode ranges;
        try {
            ranges = JSON.readTree(manifest).path("WAL-Ranges");
        } catch (IOException e) {
            throw new IllegalStateException("backup_manifest is not JSON: " + e.getMessage(), e);
        }
        if (!ranges.isArray() || ranges.isEmpty()) {
            throw new IllegalStateException("backup_manifest has no WAL-Ranges");
        }
        Lsn begin = Lsn.parse(start.group(1));
        Lsn manifestBegin = Lsn.parse(ranges.get(0).path("Start-LSN").asText());
        if (!manifestBegin.equals(begin)) {
            throw new IllegalStateException("backup_label starts at " + begin + " but backup_manifest at " + manifestBegin);
        }
        // With a timeline switch during the backup there are several ranges; it ends where the last one ends.
        Lsn end = begin;
        for (JsonNode r : ranges) {
            end = Lsn.max(end, Lsn.parse(r.path("End-LSN").asText()));
        }
        return new WalRange(Long.parseLong(timeline.group(1)), begin, end);
    }

    /** Passes every byte read (skips included) to {@code out}, counting them. */
    private static final class Tee extends FilterInputStream {
        private final OutputStream out;
        private long count;

        Tee(InputStream in, OutputStream out) {
            super(in);
            this.out = out;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                out.write(b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                out.write(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // A skip must not bypass the copy: read through instead.
            byte[] buffer = new byte[(int) Math.min(n, 8192)];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void close() {
            // The caller owns the process stream.
        }
    }
}
