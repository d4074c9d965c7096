package io.tideline.core.storage.encryption;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Defaults;
import io.tideline.core.config.Require;

/**
 * Client-side encryption of every object Tideline writes to a bucket, bound from
 * {@code tideline.encryption.*} (see docs/decisions.md, "Encryption at rest").
 *
 * @param enabled                encrypt every object written and require encryption on read; on by default
 * @param chunkSize              plaintext bytes per AEAD chunk of an object: each chunk is authenticated on its
 *                               own, so a reader holds one chunk, never the whole object
 * @param allowUnencryptedReads  read objects that carry no encryption header as they are (buckets written
 *                               before encryption was turned on). Off by default: an object planted in the
 *                               bucket in plain text would otherwise be read as genuine
 */
@ConfigurationProperties(EncryptionSettings.PREFIX)
public record EncryptionSettings(@Bindable(defaultValue = DEFAULT_ENABLED) boolean enabled,
                                 @Bindable(defaultValue = DEFAULT_CHUNK_SIZE) int chunkSize,
                                 @Bindable(defaultValue = DEFAULT_ALLOW_UNENCRYPTED_READS) boolean allowUnencryptedReads) {

    public static final String PREFIX = "tideline.encryption";
    public static final int MIN_CHUNK_SIZE = 4 * 1024;
    public static final int MAX_CHUNK_SIZE = 16 * 1024 * 1024;

    static final String DEFAULT_ENABLED = "true";
    /** 1 MiB: 21 bytes of overhead per MiB, one AES-GCM call per MiB, two chunk buffers per open stream. */
    static final String DEFAULT_CHUNK_SIZE = "1048576";
    static final String DEFAULT_ALLOW_UNENCRYPTED_READS = "false";

    public EncryptionSettings {
        Require.between(chunkSize, MIN_CHUNK_SIZE, MAX_CHUNK_SIZE, PREFIX + ".chunk-size");
    }

    public static EncryptionSettings defaults() {
        return new EncryptionSettings(Defaults.read(DEFAULT_ENABLED, Boolean.class), Defaults.read(DEFAULT_CHUNK_SIZE, Integer.class),
                Defaults.read(DEFAULT_ALLOW_UNENCRYPTED_READS, Boolean.class));
    }

    public static EncryptionSettings disabled() {
        return new EncryptionSettings(false, defaults().chunkSize(), true);
    }

    public EncryptionSettings withChunkSize(int size) {
        return new EncryptionSettings(enabled, size, allowUnencryptedReads);
    }

    public EncryptionSettings withUnencryptedReads(boolean allowed) {
        return new EncryptionSettings(enabled, chunkSize, allowed);
    }
}
