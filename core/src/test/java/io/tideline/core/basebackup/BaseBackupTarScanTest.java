package io.tideline.core.basebackup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.wal.Lsn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

class BaseBackupTarScanTest {

    private record Member(String name, byte[] content) {
    }

    private static byte[] tar(List<Member> members, int blockSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, blockSize)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Member m : members) {
                TarArchiveEntry e = new TarArchiveEntry(m.name());
                e.setSize(m.content().length);
                tar.putArchiveEntry(e);
                tar.write(m.content());
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<Member> dataDirectory() {
        return List.of(
                new Member("backup_label", BackupLabelTest.LABEL.getBytes(StandardCharsets.UTF_8)),
                new Member("tablespace_map", new byte[0]),
                new Member("base/1/1259", random(3 * 1024 * 1024 + 17, 1)),
                new Member("base/1/" + "x".repeat(120), random(511, 2)),
                new Member("global/pg_control", random(8192, 3)),
                new Member("backup_manifest", ServerManifestTest.MANIFEST.getBytes(StandardCharsets.UTF_8)));
    }

    /** Hands out bytes in small irregular chunks, as a pipe does. */
    private static InputStream choppy(byte[] bytes) {
        Random sizes = new Random(42);
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + sizes.nextInt(70_000)));
            }

            @Override
            public long skip(long n) {
                throw new AssertionError("the source must never be skipped: skipped bytes would not be stored");
            }
        };
    }

    @Test
    void everyByteReachesTheSinkOnceInOrderAndBothMembersAreRead() throws IOException {
        // 512: pg_basebackup's own blocking (no padding to 10 KiB); 10240: tar's default record size
        for (int blockSize : new int[] {512, 10240}) {
            byte[] source = tar(dataDirectory(), blockSize);
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            List<String> seen = new ArrayList<>();
            BaseBackupTarScan.Result result = BaseBackupTarScan.read(choppy(source), sink, new BaseBackupTarScan.Observer() {
                @Override
                public void onLabel(BackupLabel label) {
                    seen.add("label " + label.startLsn() + " tl " + label.timeline() + " after " + sink.size());
                }

                @Override
                public void onServerManifest(ServerManifest manifest) {
                    seen.add("manifest " + manifest.end());
                }
            });
            assertArrayEquals(source, sink.toByteArray(), "block size " + blockSize);
            assertEquals(source.length, result.rawBytes());
            assertEquals(Lsn.parse("0/2000028"), result.label().startLsn());
            assertEquals(Lsn.parse("0/2000100"), result.manifest().end());
            assertEquals(2, seen.size(), seen.toString());
            assertTrue(seen.get(0).startsWith("label 0/2000028 tl 1"), seen.toString());
            // the label is known as soon as its member passed, long before the stream ends
            long sinkAtLabel = Long.parseLong(seen.get(0).substring(seen.get(0).lastIndexOf(' ') + 1));
            assertTrue(sinkAtLabel < 100_000, "label read after " + sinkAtLabel + " bytes");
            assertEquals("manifest 0/2000100", seen.get(1));
        }
    }

    @Test
    void aStreamWithoutManifestOrLabelFails() throws IOException {
        List<Member> noManifest = dataDirectory().subList(0, 5);
        IOException e = assertThrows(IOException.class, () -> BaseBackupTarScan.read(
                new ByteArrayInputStream(tar(noManifest, 512)), new ByteArrayOutputStream(), ignoring()));
        assertTrue(e.getMessage().contains("backup_manifest"), e.getMessage());

        List<Member> noLabel = dataDirectory().subList(1, 6);
        IOException e2 = assertThrows(IOException.class, () -> BaseBackupTarScan.read(
                new ByteArrayInputStream(tar(noLabel, 512)), new ByteArrayOutputStream(), ignoring()));
        assertTrue(e2.getMessage().contains("backup_label"), e2.getMessage());
    }

    @Test
    void aTruncatedStreamFails() throws IOException {
        byte[] source = tar(dataDirectory(), 512);
        byte[] cut = java.util.Arrays.copyOf(source, source.length / 2);
        assertThrows(IOException.class, () -> BaseBackupTarScan.read(new ByteArrayInputStream(cut), new ByteArrayOutputStream(), ignoring()));
    }

    @Test
    void whateverFollowsTheTarsEndIsPassedOnToo() throws IOException {
        byte[] tar = tar(dataDirectory(), 512);
        byte[] trailing = random(70_001, 4);
        byte[] source = new byte[tar.length + trailing.length];
        System.arraycopy(tar, 0, source, 0, tar.length);
        System.arraycopy(trailing, 0, source, tar.length, trailing.length);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        BaseBackupTarScan.Result result = BaseBackupTarScan.read(choppy(source), sink);
        assertArrayEquals(source, sink.toByteArray());
        assertEquals(source.length, result.rawBytes());
    }

    @Test
    void theFirstLabelCountsAndAnOversizedOneIsRefused() throws IOException {
        List<Member> twoLabels = new ArrayList<>(dataDirectory());
        twoLabels.add(1, new Member("backup_label", BackupLabelTest.LABEL.replace("0/2000028", "0/1000028")
                .getBytes(StandardCharsets.UTF_8)));
        BaseBackupTarScan.Result result = BaseBackupTarScan.read(
                new ByteArrayInputStream(tar(twoLabels, 512)), new ByteArrayOutputStream());
        assertEquals(Lsn.parse("0/2000028"), result.label().startLsn());

        List<Member> huge = new ArrayList<>(dataDirectory());
        huge.set(0, new Member("backup_label", (BackupLabelTest.LABEL + "#".repeat(64 * 1024)).getBytes(StandardCharsets.UTF_8)));
        IOException e = assertThrows(IOException.class, () -> BaseBackupTarScan.read(
                new ByteArrayInputStream(tar(huge, 512)), new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("not a backup label"), e.getMessage());
    }

    @Test
    void labelAndManifestMustAgreeOnTheStart() throws IOException {
        BaseBackupTarScan.Result agreeing = BaseBackupTarScan.read(
                new ByteArrayInputStream(tar(dataDirectory(), 512)), new ByteArrayOutputStream());
        agreeing.requireAgreement();

        BackupLabel label = agreeing.label();
        for (BackupLabel other : List.of(
                new BackupLabel(Lsn.parse("0/2000000"), label.checkpointLsn(), label.timeline(), false),
                new BackupLabel(label.startLsn(), label.checkpointLsn(), 2, false))) {
            BaseBackupTarScan.Result disagreeing = new BaseBackupTarScan.Result(other, agreeing.manifest(), agreeing.rawBytes());
            IllegalStateException e = assertThrows(IllegalStateException.class, disagreeing::requireAgreement);
            assertTrue(e.getMessage().contains("contradicts its backup_label"), e.getMessage());
        }
    }

    private static BaseBackupTarScan.Observer ignoring() {
        return new BaseBackupTarScan.Observer() {
            @Override
            public void onLabel(BackupLabel label) {
            }

            @Override
            public void onServerManifest(ServerManifest manifest) {
            }
        };
    }
}
