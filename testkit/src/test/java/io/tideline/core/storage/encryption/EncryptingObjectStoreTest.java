package io.tideline.core.storage.encryption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.MultipartUpload;
import io.tideline.core.storage.ObjectAuthenticationException;
import io.tideline.core.storage.ObjectConflictException;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StorageErrors;
import io.tideline.core.storage.StorageFailure;
import io.tideline.core.storage.StoredObject;
import io.tideline.testkit.storage.InMemoryObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The chunked AES-GCM format and the decorator, on an in-memory bucket: round trips, tampering, keys. */
class EncryptingObjectStoreTest {

    private static final int CHUNK = EncryptionSettings.MIN_CHUNK_SIZE;
    private static final InstanceId A = InstanceId.of("enc-a");
    private static final InstanceId B = InstanceId.of("enc-b");
    private static final Instant NOW = Instant.parse("2026-12-07T18:00:00Z");

    private final Map<SecretRef, String> secretValues = new ConcurrentHashMap<>();
    private final SecretStore secrets = new SecretStore() {
        @Override
        public void put(SecretRef ref, String value) {
            secretValues.put(ref, value);
        }

        @Override
        public Optional<String> find(SecretRef ref) {
            return Optional.ofNullable(secretValues.get(ref));
        }

        @Override
        public void delete(SecretRef ref) {
            secretValues.remove(ref);
        }
    };
    private final SecureRandom random = new SecureRandom();
    private final KeyringKeyService keys = new KeyringKeyService(secrets, Clock.fixed(NOW, ZoneOffset.UTC), random);
    private final EncryptionSettings settings = EncryptionSettings.defaults().withChunkSize(CHUNK);
    private final InMemoryObjectStore raw = new InMemoryObjectStore("tideline-enc-a");
    private final EncryptingObjectStore store = new EncryptingObjectStore(raw, A, keys, settings, random);

    @Test
    void everySizeRoundTripsThroughPutGetOpenAndHeadReportsThePlaintextSha256() throws IOException {
        for (int size : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + CHUNK / 2}) {
            byte[] data = bytes(size, size);
            String key = "objects/" + size;
            StoredObject stored = store.put(key, data, Map.of("kind", "test"));
            assertEquals(Sha256.of(data), stored.requireSha256());
            assertEquals(raw.head(key).orElseThrow().size(), stored.size(), "size is the stored size");
            assertEquals(stored.size(), ChunkWriter.storedSize(ObjectHeader.parse(raw.get(key), raw.get(key).length), size));
            StoredObject head = store.head(key).orElseThrow();
            assertEquals(stored.sha256(), head.sha256());
            assertEquals(Map.of("kind", "test"), head.metadata(), "the decorator's own metadata is not the caller's");
            assertArrayEquals(data, store.get(key));
            assertArrayEquals(data, store.getVerified(key));
            try (InputStream in = store.openVerified(key, Sha256.of(data))) {
                assertArrayEquals(data, in.readAllBytes());
            }
            assertFalse(contains(raw.get(key), Arrays.copyOf(data, Math.min(size, 64))) && size >= 16, "ciphertext holds no plaintext");
        }
    }

    @Test
    void aStreamedMultipartObjectIsEncryptedChunkByChunkAndVerifiedAgainstItsManifestSha256() throws IOException {
        byte[] data = bytes(5 * CHUNK + 123, 7);
        StoredObject stored;
        try (MultipartUpload upload = store.openMultipart("basebackups/b/part0001", Map.of("compression", "zstd"))) {
            for (int off = 0; off < data.length; off += 1000) {
                upload.write(data, off, Math.min(1000, data.length - off));
            }
            assertEquals(data.length, upload.bytesWritten());
            stored = upload.complete();
        }
        assertEquals(Sha256.of(data), stored.requireSha256());
        assertEquals(Map.of("compression", "zstd"), stored.metadata());
        try (InputStream in = store.openVerified(stored.key(), stored.requireSha256())) {
            assertArrayEquals(data, in.readAllBytes());
        }
        try (InputStream in = store.openVerified(stored.key(), Sha256.of(new byte[0]))) {
            IOException e = assertThrows(IOException.class, in::readAllBytes);
            assertInstanceOf(ChecksumMismatchException.class, e.getCause());
        }
    }

    @Test
    void aFlippedByteAnywhereIsRefusedAsCorrupt() throws IOException {
        byte[] data = bytes(3 * CHUNK + 10, 3);
        store.put("wal/x", data, Map.of());
        byte[] good = raw.get("wal/x");
        byte[] noMagic = good.clone();
        noMagic[3] ^= 0x01;
        raw.corrupt("wal/x", noMagic);
        assertThrows(UnencryptedObjectException.class, () -> store.getVerified("wal/x"), "without its magic it is not ours to read");
        for (int at : new int[] {8, 20, good.length / 2, good.length - 40, good.length - 1}) {
            byte[] bad = good.clone();
            bad[at] ^= 0x01;
            raw.corrupt("wal/x", bad);
            ObjectAuthenticationException e = assertThrows(ObjectAuthenticationException.class, () -> store.getVerified("wal/x"),
                    "flipped byte " + at);
            assertEquals(StorageFailure.CORRUPT, StorageErrors.classify(e));
            assertTrue(e.getMessage().contains("wal/x"), e.getMessage());
            assertThrows(ObjectAuthenticationException.class, () -> store.get("wal/x"));
            try (InputStream in = store.open("wal/x")) {
                IOException streamed = assertThrows(IOException.class, in::readAllBytes);
                assertInstanceOf(ObjectAuthenticationException.class, streamed.getCause());
            } catch (ObjectAuthenticationException headerRefused) {
                // a damaged header is refused when the object is opened
            }
        }
    }

    @Test
    void truncationAtAnyChunkBoundaryOrInsideAChunkIsRefused() {
        byte[] data = bytes(3 * CHUNK + 10, 4);
        store.put("p", data, Map.of());
        byte[] good = raw.get("p");
        int header = ObjectHeader.parse(good, good.length).length();
        int record = 1 + CHUNK + ChunkCipher.TAG_BYTES;
        for (int cut : new int[] {header, header + record, header + 3 * record, header + record + 100, good.length - 1}) {
            raw.corrupt("p", Arrays.copyOf(good, cut));
            ObjectAuthenticationException e = assertThrows(ObjectAuthenticationException.class, () -> store.get("p"), "cut at " + cut);
            assertTrue(e.getMessage().contains("tideline-enc-a/p"), e.getMessage());
        }
    }

    @Test
    void reorderedOrRepeatedChunksAreRefused() {
        byte[] data = bytes(3 * CHUNK + 10, 5);
        store.put("r", data, Map.of());
        byte[] good = raw.get("r");
        int header = ObjectHeader.parse(good, good.length).length();
        int record = 1 + CHUNK + ChunkCipher.TAG_BYTES;
        byte[] swapped = good.clone();
        System.arraycopy(good, header + record, swapped, header, record);
        System.arraycopy(good, header, swapped, header + record, record);
        raw.corrupt("r", swapped);
        assertThrows(ObjectAuthenticationException.class, () -> store.get("r"));

        byte[] repeated = good.clone();
        System.arraycopy(good, header, repeated, header + record, record);
        raw.corrupt("r", repeated);
        assertThrows(ObjectAuthenticationException.class, () -> store.get("r"));
    }

    @Test
    void anObjectMovedToAnotherKeyOrReadWithAnotherInstancesKeysIsRefused() {
        store.put("wal/000000010000000000000001.zst", bytes(100, 6), Map.of());
        store.put("wal/000000010000000000000002.zst", bytes(100, 8), Map.of());
        raw.corrupt("wal/000000010000000000000002.zst", raw.get("wal/000000010000000000000001.zst"));
        ObjectAuthenticationException moved = assertThrows(ObjectAuthenticationException.class,
                () -> store.get("wal/000000010000000000000002.zst"));
        assertTrue(moved.getMessage().contains("data key does not open"), moved.getMessage());

        EncryptingObjectStore otherInstance = new EncryptingObjectStore(raw, B, keys, settings, random);
        RuntimeException wrongKeys = assertThrows(RuntimeException.class, () -> otherInstance.get("wal/000000010000000000000001.zst"));
        assertTrue(wrongKeys.getMessage().contains("no keyring") || wrongKeys.getMessage().contains("not under"), wrongKeys.getMessage());
    }

    @Test
    void afterRotationNewObjectsUseTheNewVersionAndOldOnesStayReadable() {
        byte[] before = bytes(2 * CHUNK, 9);
        store.put("old", before, Map.of());
        assertEquals(Optional.of(1), keys.currentVersion(A));
        assertEquals(2, keys.rotate(A));
        byte[] after = bytes(CHUNK / 3, 10);
        store.put("new", after, Map.of());
        String oldKeyId = ObjectHeader.parse(raw.get("old"), raw.get("old").length).wrappedKey().keyId();
        String newKeyId = ObjectHeader.parse(raw.get("new"), raw.get("new").length).wrappedKey().keyId();
        assertTrue(oldKeyId.endsWith(":v1"), oldKeyId);
        assertTrue(newKeyId.endsWith(":v2"), newKeyId);
        assertArrayEquals(before, store.getVerified("old"));
        assertArrayEquals(after, store.getVerified("new"));
    }

    @Test
    void afterTheKeysAreDestroyedNothingCanBeReadAndTheErrorSaysWhy() {
        store.put("m", bytes(10, 11), Map.of());
        keys.destroy(A);
        KeysDestroyedException e = assertThrows(KeysDestroyedException.class, () -> store.getVerified("m"));
        assertTrue(e.getMessage().contains("the keys of instance enc-a were destroyed (crypto-shredded) at " + NOW), e.getMessage());
        assertEquals(StorageFailure.REFUSED, StorageErrors.classify(e));
        assertThrows(KeysDestroyedException.class, () -> store.open("m"));
        assertEquals(Optional.of(NOW), keys.destroyedAt(A));
        assertFalse(secretValues.containsKey(KeyringKeyService.keyringRef(A)), "no key material is left");
    }

    @Test
    void putIfAbsentOrSameComparesPlaintextsThoughEveryWriteEncryptsDifferently() {
        byte[] segment = bytes(50_000, 12);
        StoredObject first = store.putIfAbsentOrSame("wal/s", segment, Map.of("raw-size", "1"));
        StoredObject again = store.putIfAbsentOrSame("wal/s", segment.clone(), Map.of("raw-size", "1"));
        assertEquals(first.sha256(), again.sha256());
        byte[] other = segment.clone();
        other[7] ^= 1;
        ObjectConflictException conflict = assertThrows(ObjectConflictException.class, () -> store.putIfAbsentOrSame("wal/s", other, Map.of()));
        assertEquals(Optional.of(Sha256.of(segment)), conflict.existing());
        byte[] firstStored = raw.get("wal/s");
        store.put("wal/t", segment, Map.of());
        assertNotEquals(Sha256.of(firstStored), Sha256.of(raw.get("wal/t")), "a fresh data key and nonce per object");
    }

    @Test
    void aNewObjectWrittenIfAbsentCostsTheStoreOneRequest() {
        // issue 18.4: the WAL store path asked the bucket twice (a HEAD here, one in the store below) per segment
        StoredObject stored = store.putIfAbsentOrSame("wal/new", bytes(70_000, 3), Map.of());
        assertEquals(0, raw.attempts(InMemoryObjectStore.Operation.READ), "no HEAD before the conditional write");
        assertEquals(1, raw.attempts(InMemoryObjectStore.Operation.WRITE));
        assertEquals(Optional.of(Sha256.of(bytes(70_000, 3))), stored.sha256());
    }

    @Test
    void theCipherWarmUpSealsWithTheSameCallsAsAnObject() {
        // full chunks (block + tag) and final ones (block + sha256 + tag), alternating
        int seals = 100; // the background warm-up runs CipherWarmUp.SEALS of them
        long expected = seals * (1024L + ChunkCipher.TAG_BYTES) + seals / 2 * (long) ChunkCipher.SHA_BYTES;
        assertEquals(expected, CipherWarmUp.run(seals));
    }

    @Test
    void unencryptedObjectsAreRefusedUnlessAllowed() throws IOException {
        byte[] legacy = "{\"manifest\":\"written before encryption\"}".getBytes(StandardCharsets.UTF_8);
        raw.put("basebackups/old/manifest.json", legacy, Map.of());
        UnencryptedObjectException refused = assertThrows(UnencryptedObjectException.class,
                () -> store.getVerified("basebackups/old/manifest.json"));
        assertTrue(refused.getMessage().contains("allow-unencrypted-reads"), refused.getMessage());

        EncryptingObjectStore lenient = new EncryptingObjectStore(raw, A, keys, settings.withUnencryptedReads(true), random);
        assertArrayEquals(legacy, lenient.getVerified("basebackups/old/manifest.json"));
        try (InputStream in = lenient.openVerified("basebackups/old/manifest.json", Sha256.of(legacy))) {
            assertArrayEquals(legacy, in.readAllBytes());
        }
        assertEquals(Optional.of(Sha256.of(legacy)), lenient.head("basebackups/old/manifest.json").orElseThrow().sha256());
    }

    private static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        if (needle.length == 0) {
            return false;
        }
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }
}
