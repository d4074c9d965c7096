package io.tideline.core.storage.encryption;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.MultipartUpload;
import io.tideline.core.storage.ObjectAuthenticationException;
import io.tideline.core.storage.ObjectConflictException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StorageException;
import io.tideline.core.storage.StorageUnavailableException;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.storage.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * The {@link ObjectStore} decorator that encrypts every object on its way into the bucket and decrypts
 * and authenticates it on its way out (docs/decisions.md, "Encryption at rest"). It sits at the seam
 * where {@link io.tideline.core.storage.ObjectStores} hands out stores, so no writer can forget it.
 *
 * <p>What changes for callers of the contract:
 * <ul>
 *   <li><b>sha256 is the plaintext's</b> — what the caller wrote and reads back: {@code put}, {@code complete}
 *       and {@code head} report it, manifests record it, {@code openVerified} and {@code getVerified} check it
 *       after decryption. The store's own {@value ObjectStore#SHA256_METADATA} metadata keeps covering the
 *       stored (encrypted) bytes; this class keeps the plaintext's in {@value #PLAIN_SHA256_METADATA}
 *       (single PUTs) and inside the object (the final chunk), so one GET proves an object.</li>
 *   <li><b>size is the stored size</b> (the ciphertext: plaintext + header + 17 bytes per chunk + 49), as
 *       listings must report it too.</li>
 *   <li><b>Every read authenticates</b>, {@code get} and {@code open} included: an altered, cut or moved
 *       object is an {@link ObjectAuthenticationException}, never bytes.</li>
 *   <li>Objects with no encryption header are refused ({@link UnencryptedObjectException}) unless
 *       {@link EncryptionSettings#allowUnencryptedReads()}; then they are read as they are.</li>
 * </ul>
 */
public final class EncryptingObjectStore implements ObjectStore {

    /** Marks an encrypted object in its metadata (the object's header says the same, and is what readers trust). */
    public static final String ENCRYPTION_METADATA = "encryption";
    public static final String FORMAT = "aes-256-gcm-chunked-v1";
    /** The plaintext sha256 of an object written in one PUT, so {@code head} and idempotent writes know it. */
    public static final String PLAIN_SHA256_METADATA = "plain-sha256";

    private final ObjectStore inner;
    private final InstanceId instance;
    private final KeyService keys;
    private final EncryptionSettings settings;
    private final SecureRandom random;

    public EncryptingObjectStore(ObjectStore inner, InstanceId instance, KeyService keys, EncryptionSettings settings,
                                 SecureRandom random) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The store underneath, which holds the encrypted bytes (tests and tools that need the raw bytes). */
    public ObjectStore encryptedBytes() {
        return inner;
    }

    @Override
    public String bucket() {
        return inner.bucket();
    }

    @Override
    public StoredObject put(String key, byte[] bytes, Map<String, String> metadata) {
        Encrypted encrypted = encrypt(key, bytes);
        return plain(inner.put(key, encrypted.bytes(), stored(metadata, Optional.of(encrypted.sha256()))), encrypted.sha256());
    }

    @Override
    public StoredObject put(String key, Path file, Map<String, String> metadata) {
        Sha256 sha256 = sha256Of(key, file);
        try (MultipartUpload upload = openEncrypted(key, stored(metadata, Optional.of(sha256)), metadata);
             InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[settings.chunkSize()];
            for (int n; (n = in.read(buffer)) > 0; ) {
                upload.write(buffer, 0, n);
            }
            StoredObject stored = upload.complete();
            if (!stored.requireSha256().equals(sha256)) {
                throw new ChecksumMismatchException(bucket(), key, sha256, stored.requireSha256());
            }
            return stored;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " to store it as " + bucket() + "/" + key, e);
        }
    }

    @Override
    public StoredObject putIfAbsentOrSame(String key, byte[] bytes, Map<String, String> metadata) {
        // Issue 18.4 (the WAL store path): the plaintext sha256 is taken once, while encrypting, and the bucket is
        // asked once whether the key is taken — by the store underneath, whose check (HEAD, conditional PUT) finds
        // any object there "different", since it is encrypted under another data key. Only then is it compared
        // by its plaintext: same plaintext is the same object. (Before: a HEAD here and one below, and the
        // plaintext hashed twice.)
        Encrypted encrypted = encrypt(key, bytes);
        Sha256 attempted = encrypted.sha256();
        try {
            return plain(inner.putIfAbsentOrSame(key, encrypted.bytes(), stored(metadata, Optional.of(attempted))), attempted);
        } catch (ObjectConflictException e) {
            return head(key).map(existing -> sameOrConflict(key, attempted, existing)).orElseThrow(() -> e);
        }
    }

    private StoredObject sameOrConflict(String key, Sha256 attempted, StoredObject existing) {
        if (existing.sha256().filter(attempted::equals).isPresent()) {
            return existing;
        }
        throw new ObjectConflictException(bucket(), key, attempted, existing.sha256());
    }

    @Override
    public MultipartUpload openMultipart(String key, Map<String, String> metadata) {
        return openEncrypted(key, stored(metadata, Optional.empty()), metadata);
    }

    private MultipartUpload openEncrypted(String key, Map<String, String> storedMetadata, Map<String, String> callerMetadata) {
        Sealing sealing = newSealing(key);
        MultipartUpload upload = inner.openMultipart(key, storedMetadata);
        try {
            return new EncryptingUpload(upload, sealing.header(), sealing.cipher(), Map.copyOf(callerMetadata));
        } catch (RuntimeException e) {
            upload.close();
            throw e;
        }
    }

    @Override
    public Optional<StoredObject> head(String key) {
        return inner.head(key).map(this::described);
    }

    @Override
    public byte[] get(String key) {
        byte[] stored = inner.get(key);
        return decryptAll(key, stored).orElse(stored);
    }

    @Override
    public byte[] getVerified(String key) {
        // One GET: the final chunk carries the plaintext sha256, which the decryption checks.
        // An unencrypted object (allowed) is checked against its metadata's sha256, which takes the store's own read.
        return decryptAll(key, inner.get(key)).orElseGet(() -> inner.getVerified(key));
    }

    @Override
    public InputStream open(String key) {
        return openDecrypting(key, Optional.empty());
    }

    @Override
    public InputStream openVerified(String key, Sha256 expected) {
        return openDecrypting(key, Optional.of(Objects.requireNonNull(expected, "expected")));
    }

    @Override
    public List<StoredObject> list(String prefix) {
        return inner.list(prefix);
    }

    @Override
    public List<StoredObject> listAfter(String prefix, String startAfter) {
        return inner.listAfter(prefix, startAfter); // keys are not encrypted, so the store can start where asked
    }

    @Override
    public void delete(String key) {
        inner.delete(key);
    }

    @Override
    public void deleteAll(Collection<String> keys) {
        inner.deleteAll(keys);
    }

    // ---- writing

    private record Encrypted(byte[] bytes, Sha256 sha256) {
    }

    private Encrypted encrypt(String key, byte[] bytes) {
        Sealing sealing = newSealing(key);
        ObjectHeader header = sealing.header();
        ChunkCipher cipher = sealing.cipher();
        long size = ChunkWriter.storedSize(header, bytes.length);
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(bytes.length + " bytes are too many for one PUT: use openMultipart");
        }
        byte[] out = new byte[(int) size];
        int[] filled = {0};
        ChunkWriter writer = new ChunkWriter(header, cipher, (b, off, len) -> {
            System.arraycopy(b, off, out, filled[0], len);
            filled[0] += len;
        });
        writer.write(bytes, 0, bytes.length);
        Sha256 sha256 = writer.finish();
        if (filled[0] != out.length) {
            throw new IllegalStateException("encrypted " + filled[0] + " bytes, expected " + out.length);
        }
        return new Encrypted(out, sha256);
    }

    /** A new object's header and the cipher of its fresh data key. */
    private record Sealing(ObjectHeader header, ChunkCipher cipher) {
    }

    private Sealing newSealing(String key) {
        byte[] prefix = new byte[ObjectHeader.NONCE_PREFIX_BYTES];
        random.nextBytes(prefix);
        DataKey dataKey = keys.newDataKey(instance, context(key));
        ObjectHeader header = ObjectHeader.of(settings.chunkSize(), prefix, dataKey.wrapped());
        return new Sealing(header, new ChunkCipher(header, dataKey.key()));
    }

    private Map<String, String> stored(Map<String, String> metadata, Optional<Sha256> plaintext) {
        Map<String, String> m = new HashMap<>(metadata);
        m.put(ENCRYPTION_METADATA, FORMAT);
        plaintext.ifPresent(sha -> m.put(PLAIN_SHA256_METADATA, sha.hex()));
        return m;
    }

    private StoredObject plain(StoredObject stored, Sha256 plaintext) {
        return new StoredObject(stored.key(), stored.size(), stored.lastModified(), Optional.of(plaintext), callerView(stored.metadata()));
    }

    /** What {@code head} reports: the plaintext sha256 of an encrypted object, as it is of an unencrypted one. */
    private StoredObject described(StoredObject stored) {
        Map<String, String> m = stored.metadata();
        if (!m.containsKey(ENCRYPTION_METADATA)) {
            return stored;
        }
        Optional<Sha256> plaintext = Optional.ofNullable(m.get(PLAIN_SHA256_METADATA)).map(Sha256::parse);
        return new StoredObject(stored.key(), stored.size(), stored.lastModified(), plaintext, callerView(m));
    }

    private static Map<String, String> callerView(Map<String, String> metadata) {
        Map<String, String> m = new HashMap<>(metadata);
        m.remove(ENCRYPTION_METADATA);
        m.remove(PLAIN_SHA256_METADATA);
        return m;
    }

    // ---- reading

    /** The plaintext of a whole encrypted object; empty when it has no header and unencrypted reads are allowed. */
    private Optional<byte[]> decryptAll(String key, byte[] stored) {
        ByteArrayInputStream body = new ByteArrayInputStream(stored);
        try (InputStream in = decrypting(key, body, Optional.empty())) {
            if (in == null) {
                return Optional.empty();
            }
            // Sized from the stored length: one array, no growing buffers (16 MiB WAL objects on the restore path).
            long size = in instanceof DecryptingInputStream d ? d.plaintextSize(body.available()) : -1;
            if (size < 0 || size > Integer.MAX_VALUE - 16) {
                return Optional.of(in.readAllBytes());
            }
            byte[] plain = new byte[(int) size];
            if (in.readNBytes(plain, 0, plain.length) != plain.length || in.read() != -1) {
                throw new ObjectAuthenticationException(bucket(), key, "its size does not match its chunks", null);
            }
            return Optional.of(plain);
        } catch (IOException e) {
            throw unwrap(key, e);
        }
    }

    private InputStream openDecrypting(String key, Optional<Sha256> expected) {
        InputStream raw = inner.open(key);
        try {
            InputStream in = decrypting(key, raw, expected);
            if (in != null) {
                return in;
            }
            // Unencrypted, allowed: re-open from the start (decrypting() consumed the first bytes).
            raw.close();
            InputStream plain = inner.open(key);
            return expected.<InputStream>map(sha -> new VerifyingInputStream(plain, bucket(), key, sha)).orElse(plain);
        } catch (IOException | RuntimeException e) {
            closeQuietly(raw);
            throw e instanceof IOException io ? unwrap(key, io) : (RuntimeException) e;
        }
    }

    /**
     * A decrypting stream over {@code raw} positioned after the header; null when the object has no
     * header and unencrypted reads are allowed; {@link UnencryptedObjectException} when they are not.
     */
    private InputStream decrypting(String key, InputStream raw, Optional<Sha256> expected) throws IOException {
        byte[][] prefix = new byte[1][];
        Optional<ObjectHeader> header;
        try {
            header = DecryptingInputStream.readHeader(raw, prefix);
        } catch (IllegalArgumentException e) {
            throw new ObjectAuthenticationException(bucket(), key, e.getMessage(), e);
        }
        if (header.isEmpty()) {
            if (!settings.allowUnencryptedReads()) {
                throw new UnencryptedObjectException(bucket(), key);
            }
            return null;
        }
        return new DecryptingInputStream(raw, header.get(), keyFor(header.get(), key), bucket(), key, expected);
    }

    private SecretKey keyFor(ObjectHeader header, String key) {
        try {
            return keys.unwrap(instance, header.wrappedKey(), context(key));
        } catch (KeysDestroyedException e) {
            throw e.reading(bucket(), key);
        } catch (KeyUnwrapException e) {
            throw new ObjectAuthenticationException(bucket(), key, "its data key does not open: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new StorageException("cannot decrypt " + bucket() + "/" + key + ": " + e.getMessage(), bucket(), key, false, e);
        }
    }

    /** The data key is bound to the object it was made for: bucket and key. */
    private String context(String key) {
        return bucket() + "/" + key;
    }

    private StorageException unwrap(String key, IOException e) {
        if (e.getCause() instanceof StorageException s) {
            return s;
        }
        return new StorageUnavailableException("read", bucket(), key, e);
    }

    private Sha256 sha256Of(String key, Path file) {
        MessageDigest digest = Sha256.newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " to store it as " + bucket() + "/" + key, e);
        }
        return Sha256.ofDigest(digest.digest());
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // already failing; the first error is the one to report
        }
    }

    @Override
    public String toString() {
        return "encrypted " + inner;
    }
}
