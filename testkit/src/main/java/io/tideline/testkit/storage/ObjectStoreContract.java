package io.tideline.testkit.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.MultipartUpload;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectConflictException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StoredObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link ObjectStore} contract, written once; every implementation's test extends it (S3's
 * against the real server, the in-memory store's as a fast unit test). Each test
 * works under its own random prefix, so tests never see each other's objects.
 *
 * <p>Implementations return a store configured with {@link #PAGE_SIZE} keys per listing page and
 * {@link ObjectStoreSettings#MIN_PART_SIZE} parts, so pagination and multipart are exercised with
 * little data.
 */
public abstract class ObjectStoreContract {

    /** Small on purpose: 25 keys then span three listing pages. */
    protected static final int PAGE_SIZE = 10;
    protected static final int PART_SIZE = ObjectStoreSettings.MIN_PART_SIZE;
    protected static final int MAX_IN_FLIGHT = 3;

    private final Random random = new Random(42);
    protected String prefix;

    /** The store under test, with {@link #PAGE_SIZE}, {@link #PART_SIZE} and {@link #MAX_IN_FLIGHT}. */
    protected abstract ObjectStore store();

    /**
     * Replaces the bytes stored under {@code key} without going through the store's write path, keeping
     * its recorded sha256: what bit rot or a tampering writer would leave behind.
     */
    protected abstract void corruptBehindTheStoresBack(String key, byte[] replacement);

    @BeforeEach
    protected void freshPrefix() {
        prefix = "contract-" + UUID.randomUUID() + "/";
    }

    protected byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    @Test
    void putReturnsTheConfirmedObjectAndGetHeadOpenReadItBack() throws IOException {
        byte[] bytes = randomBytes(100_000);
        String key = prefix + "a.bin";

        StoredObject stored = store().put(key, bytes, Map.of("kind", "test"));

        assertEquals(key, stored.key());
        assertEquals(bytes.length, stored.size());
        assertEquals(Optional.of(Sha256.of(bytes)), stored.sha256());
        StoredObject head = store().head(key).orElseThrow();
        assertEquals(bytes.length, head.size());
        assertEquals(stored.sha256(), head.sha256(), "sha256 kept in object metadata");
        assertEquals(Map.of("kind", "test"), head.metadata());
        assertArrayEquals(bytes, store().get(key));
        assertArrayEquals(bytes, store().getVerified(key));
        try (InputStream in = store().open(key)) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
    }

    @Test
    void putOfAFileStoresItsContentWithItsSha256(@TempDir Path dir) throws IOException {
        byte[] bytes = randomBytes(1_234_567);
        Path file = Files.write(dir.resolve("segment"), bytes);
        String key = prefix + "file.bin";

        StoredObject stored = store().put(key, file, Map.of());

        assertEquals(Sha256.of(bytes), stored.requireSha256());
        assertEquals(bytes.length, stored.size());
        assertArrayEquals(bytes, store().getVerified(key));
    }

    @Test
    void anEmptyObjectIsAnObjectToo() {
        String key = prefix + "empty";
        StoredObject stored = store().put(key, new byte[0], Map.of());
        assertEquals(0, stored.size());
        assertEquals(0, store().getVerified(key).length);
        assertEquals(0, store().head(key).orElseThrow().size());
    }

    @Test
    void putReplacesWhatWasThere() {
        String key = prefix + "partial";
        store().put(key, "first".getBytes(StandardCharsets.UTF_8), Map.of());
        StoredObject second = store().put(key, "second flush".getBytes(StandardCharsets.UTF_8), Map.of());
        assertEquals("second flush", new String(store().getVerified(key), StandardCharsets.UTF_8));
        assertEquals(second.sha256(), store().head(key).orElseThrow().sha256());
    }

    @Test
    void aMissingObjectIsNamedInTheError() {
        String key = prefix + "nothing-here";
        assertEquals(Optional.empty(), store().head(key));
        for (var call : List.<Runnable>of(() -> store().get(key), () -> store().getVerified(key),
                () -> store().open(key))) {
            NoSuchObjectException e = assertThrows(NoSuchObjectException.class, call::run);
            assertTrue(e.getMessage().contains(store().bucket() + "/" + key), e.getMessage());
            assertEquals(Optional.of(key), e.key());
            assertEquals(store().bucket(), e.bucket());
        }
    }

    @Test
    void listReturnsEveryObjectUnderThePrefixAcrossPagesInKeyOrder() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String key = prefix + "wal/" + String.format("%03d", i);
            store().put(key, randomBytes(i), Map.of());
            expected.add(key);
        }
        store().put(prefix + "other/x", randomBytes(3), Map.of());

        List<StoredObject> listed = store().list(prefix + "wal/");

        assertEquals(expected, listed.stream().map(StoredObject::key).toList(), "all pages, in key order, nothing else");
        for (int i = 0; i < listed.size(); i++) {
            assertEquals(i, listed.get(i).size());
            assertEquals(Optional.empty(), listed.get(i).sha256(), "a listing does not know checksums");
        }
        assertEquals(26, store().list(prefix).size());
        assertEquals(List.of(), store().list(prefix + "nope/"));
    }

    /** Issue 18: a resuming WAL stream lists only from where its slot says the interesting keys begin. */
    @Test
    void listAfterReturnsOnlyTheKeysAfterTheGivenOneAcrossPages() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String key = prefix + "wal/" + String.format("%03d", i);
            store().put(key, randomBytes(1), Map.of());
            if (i > 10) {
                expected.add(key);
            }
        }
        store().put(prefix + "wal/010.partial", randomBytes(1), Map.of());

        List<StoredObject> listed = store().listAfter(prefix + "wal/", prefix + "wal/010.partial");

        assertEquals(expected, listed.stream().map(StoredObject::key).toList(), "strictly after, in key order, all pages");
        assertEquals(List.of(), store().listAfter(prefix + "wal/", prefix + "wal/999"));
    }

    @Test
    void putIfAbsentOrSameIsIdempotentForTheSameBytesAndRefusesDifferentOnes() {
        String key = prefix + "wal/000000010000000000000001.zst";
        byte[] segment = randomBytes(50_000);

        StoredObject first = store().putIfAbsentOrSame(key, segment, Map.of("raw-size", "16777216"));
        StoredObject again = store().putIfAbsentOrSame(key, segment.clone(), Map.of("raw-size", "16777216"));

        assertEquals(Sha256.of(segment), first.requireSha256());
        assertEquals(first.sha256(), again.sha256());
        assertEquals(first.size(), again.size());

        byte[] other = segment.clone();
        other[7] ^= 1;
        ObjectConflictException conflict = assertThrows(ObjectConflictException.class,
                () -> store().putIfAbsentOrSame(key, other, Map.of()));
        assertTrue(conflict.getMessage().contains(key), conflict.getMessage());
        assertEquals(Optional.of(Sha256.of(segment)), conflict.existing());
        assertEquals(Sha256.of(other), conflict.attempted());
        assertArrayEquals(segment, store().getVerified(key), "the stored segment is untouched");
    }

    @Test
    void getVerifiedCatchesACorruptedObject() throws IOException {
        String key = prefix + "wal/000000010000000000000002.zst";
        byte[] original = randomBytes(10_000);
        StoredObject stored = store().put(key, original, Map.of());
        byte[] rotten = original.clone();
        rotten[5_000] ^= 0x10;

        corruptBehindTheStoresBack(key, rotten);

        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> store().getVerified(key));
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertEquals(stored.requireSha256(), e.expected());
        assertEquals(Sha256.of(rotten), e.actual());
        // The plain read does not judge: that is what getVerified is for.
        assertArrayEquals(rotten, store().get(key));
        try (InputStream in = store().openVerified(key, stored.requireSha256())) {
            IOException streamed = assertThrows(IOException.class, in::readAllBytes);
            assertInstanceOf(ChecksumMismatchException.class, streamed.getCause());
        }
    }

    @Test
    void multipartUploadOfSeveralPartsStoresEveryByteWithTheWholeSha256() throws IOException {
        String key = prefix + "basebackups/b/data.tar.zst.part0001";
        byte[] data = randomBytes(PART_SIZE * 3 + PART_SIZE / 2);

        StoredObject stored;
        try (MultipartUpload upload = store().openMultipart(key, Map.of("compression", "zstd"))) {
            OutputStream out = upload.asOutputStream();
            // Odd-sized writes so parts never align with what the writer hands over.
            int chunk = 777_777;
            for (int off = 0; off < data.length; off += chunk) {
                out.write(data, off, Math.min(chunk, data.length - off));
            }
            out.close();
            assertEquals(data.length, upload.bytesWritten());
            stored = upload.complete();
        }

        assertEquals(data.length, stored.size());
        assertEquals(Sha256.of(data), stored.requireSha256());
        assertEquals(data.length, store().head(key).orElseThrow().size());
        assertArrayEquals(data, store().get(key));
        try (InputStream in = store().openVerified(key, stored.requireSha256())) {
            assertEquals(data.length, in.transferTo(OutputStream.nullOutputStream()));
        }
        try (InputStream in = store().openVerified(key, Sha256.of(new byte[0]))) {
            IOException e = assertThrows(IOException.class, () -> in.transferTo(new ByteArrayOutputStream()));
            assertInstanceOf(ChecksumMismatchException.class, e.getCause());
        }
    }

    @Test
    void multipartUploadSmallerThanOnePartIsStoredWithItsSha256InMetadata() {
        String key = prefix + "small";
        byte[] data = randomBytes(1000);
        try (MultipartUpload upload = store().openMultipart(key, Map.of())) {
            upload.write(data);
            StoredObject stored = upload.complete();
            assertEquals(Sha256.of(data), stored.requireSha256());
        }
        assertEquals(Optional.of(Sha256.of(data)), store().head(key).orElseThrow().sha256());
        assertArrayEquals(data, store().getVerified(key));
    }

    @Test
    void multipartUploadLeavesNothingBehindWhenAbortedOrClosedUncompleted() {
        String aborted = prefix + "aborted";
        MultipartUpload upload = store().openMultipart(aborted, Map.of());
        upload.write(randomBytes(PART_SIZE + 1000));
        upload.abort();
        upload.abort();
        assertThrows(IllegalStateException.class, upload::complete);

        String abandoned = prefix + "abandoned";
        try (MultipartUpload other = store().openMultipart(abandoned, Map.of())) {
            other.write(randomBytes(PART_SIZE * 2 + 10));
        }

        assertEquals(Optional.empty(), store().head(aborted));
        assertEquals(Optional.empty(), store().head(abandoned));
        assertEquals(List.of(), store().list(prefix));
    }

    @Test
    void deleteAndDeleteAllRemoveObjectsAndTolerateMissingOnes() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            keys.add(prefix + "d/" + i);
            store().put(keys.get(i), randomBytes(10), Map.of());
        }

        store().delete(keys.get(0));
        store().delete(keys.get(0));
        store().deleteAll(List.of(keys.get(1), keys.get(2), keys.get(3), keys.get(4), prefix + "d/never-existed"));
        store().deleteAll(List.of());

        assertEquals(List.of(keys.get(5)), store().list(prefix).stream().map(StoredObject::key).toList());
        assertEquals(Optional.empty(), store().head(keys.get(0)));
    }

    @Test
    void metadataThatTheStoreReservesOrCannotCarryIsRefusedBeforeAnythingIsSent() {
        String key = prefix + "m";
        assertThrows(IllegalArgumentException.class, () -> store().put(key, new byte[1], Map.of("sha256", "x")));
        assertThrows(IllegalArgumentException.class, () -> store().put(key, new byte[1], Map.of("Upper", "x")));
        assertEquals(Optional.empty(), store().head(key));
    }
}
