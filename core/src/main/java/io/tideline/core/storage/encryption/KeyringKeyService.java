package io.tideline.core.storage.encryption;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The embedded runtime's {@link KeyService}: each instance's key-encryption keys live in one keyring
 * secret ({@code keyrings/<instance>/keys}) of the {@link SecretStore} — for the embedded runtime a file
 * of mode 0600 under the home's secrets directory, never in a bucket. The keyring is created with the
 * instance's first object. Data keys are wrapped with AES-256-GCM (JDK) under the current version,
 * with the instance, the key id and the object's context as associated data.
 *
 * <p>The keyring is read on every call (a few hundred bytes): a rotation or a destruction made by the
 * CLI takes effect in every running service at once, and no service keeps a destroyed key in memory.
 * {@link #destroy} deletes the keyring and leaves a tombstone ({@code keyrings/<instance>/destroyed})
 * naming the keyring and when, so reads can tell "destroyed" from "never had keys".
 */
public final class KeyringKeyService implements KeyService {

    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretStore secrets;
    private final Clock clock;
    private final SecureRandom random;

    public KeyringKeyService(SecretStore secrets, Clock clock, SecureRandom random) {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Where {@code instance}'s keyring is kept: the one place this name is spelled. */
    public static SecretRef keyringRef(InstanceId instance) {
        return SecretRef.of("keyrings/" + instance.value() + "/keys");
    }

    static SecretRef tombstoneRef(InstanceId instance) {
        return SecretRef.of("keyrings/" + instance.value() + "/destroyed");
    }

    @Override
    public DataKey newDataKey(InstanceId instance, String context) {
        Keyring keyring = keyringForWriting(instance);
        byte[] dataKey = new byte[KEY_BYTES];
        random.nextBytes(dataKey);
        String keyId = keyring.keyId(keyring.current());
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keyring.kek(keyring.current()), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(instance, keyId, context));
            byte[] sealed = cipher.doFinal(dataKey);
            byte[] wrapped = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
            return new DataKey(new SecretKeySpec(dataKey, "AES"), new WrappedKey(keyId, wrapped));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
        }
    }

    @Override
    public SecretKey unwrap(InstanceId instance, WrappedKey wrapped, String context) {
        Keyring keyring = existingKeyring(instance).orElse(null);
        Keyring.KeyName name = Keyring.KeyName.parse(wrapped.keyId());
        if (keyring == null || !keyring.id().equals(name.keyringId())) {
            Optional<Keyring.Tombstone> tombstone = tombstone(instance);
            if (tombstone.isPresent() && tombstone.get().keyringIds().contains(name.keyringId())) {
                throw new KeysDestroyedException(instance, tombstone.get().destroyedAt(), null, null);
            }
            throw new IllegalStateException(keyring == null
                    ? "instance " + instance + " has no keyring (secret " + keyringRef(instance) + "), so its object written under key "
                    + wrapped.keyId() + " cannot be decrypted"
                    : "the object was written under key " + wrapped.keyId() + ", not under instance " + instance + "'s keyring "
                    + keyring.id() + " (another instance's object, or a keyring replaced by hand)");
        }
        SecretKey kek = keyring.kek(name.version());
        byte[] blob = wrapped.ciphertext();
        if (blob.length != NONCE_BYTES + KEY_BYTES + TAG_BITS / 8) {
            throw new KeyUnwrapException("wrapped data key has " + blob.length + " bytes", null);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, blob, 0, NONCE_BYTES));
            cipher.updateAAD(aad(instance, wrapped.keyId(), context));
            return new SecretKeySpec(cipher.doFinal(blob, NONCE_BYTES, blob.length - NONCE_BYTES), "AES");
        } catch (AEADBadTagException e) {
            throw new KeyUnwrapException("the data key does not open under " + wrapped.keyId() + " for " + context, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
        }
    }

    @Override
    public synchronized int rotate(InstanceId instance) {
        Keyring rotated = keyringForWriting(instance).withNewVersion(freshKey(), clock.instant());
        secrets.put(keyringRef(instance), rotated.serialize());
        return rotated.current();
    }

    @Override
    public synchronized void destroy(InstanceId instance) {
        Optional<Keyring> keyring = existingKeyring(instance);
        Instant now = clock.instant();
        Keyring.Tombstone tombstone = tombstone(instance).orElse(new Keyring.Tombstone(now, java.util.List.of()));
        if (keyring.isPresent()) {
            // The tombstone first: a crash in between leaves keys that still work, never keys gone unexplained.
            secrets.put(tombstoneRef(instance), tombstone.with(keyring.get().id(), now).serialize());
            secrets.delete(keyringRef(instance));
        }
    }

    @Override
    public Optional<Instant> destroyedAt(InstanceId instance) {
        return tombstone(instance).map(Keyring.Tombstone::destroyedAt);
    }

    @Override
    public Optional<Integer> currentVersion(InstanceId instance) {
        return existingKeyring(instance).map(Keyring::current);
    }

    /** The keyring, created (version 1) with the instance's first object; never two (putIfAbsent). */
    private synchronized Keyring keyringForWriting(InstanceId instance) {
        Optional<Keyring> existing = existingKeyring(instance);
        if (existing.isPresent()) {
            return existing.get();
        }
        byte[] id = new byte[8];
        random.nextBytes(id);
        Keyring created = Keyring.first(java.util.HexFormat.of().formatHex(id), freshKey(), clock.instant());
        if (secrets.putIfAbsent(keyringRef(instance), created.serialize())) {
            return created;
        }
        // Another process made the keyring first: its keys are the instance's.
        return existingKeyring(instance).orElseThrow(() -> new IllegalStateException("the keyring of " + instance
                + " appeared and vanished while it was being created"));
    }

    private Optional<Keyring> existingKeyring(InstanceId instance) {
        return secrets.find(keyringRef(instance)).map(text -> Keyring.parse(text, keyringRef(instance)));
    }

    private Optional<Keyring.Tombstone> tombstone(InstanceId instance) {
        return secrets.find(tombstoneRef(instance)).map(Keyring.Tombstone::parse);
    }

    private byte[] freshKey() {
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        return key;
    }

    private static byte[] aad(InstanceId instance, String keyId, String context) {
        return ("tideline-data-key-v1\n" + instance.value() + "\n" + keyId + "\n" + context).getBytes(StandardCharsets.UTF_8);
    }
}
