package io.tideline.core.storage.encryption;

import io.tideline.core.ids.InstanceId;
import java.time.Instant;
import java.util.Optional;

/**
 * Holds each instance's key-encryption key (KEK) and wraps and unwraps the data keys of its objects
 * with it; the KEK never leaves the service. The shape is a KMS's ({@code GenerateDataKey} /
 * {@code Decrypt} with an encryption context), so a KMS-backed implementation is a thin adapter
 * (docs/modules/core.md, "Encryption at rest"). The embedded runtime's is {@link KeyringKeyService}.
 *
 * <p>{@code context} binds a wrapped key to the object it belongs to (bucket and key): unwrapping it
 * under any other context fails, so an object moved or copied over another is refused.
 *
 * <p>Errors: {@link KeysDestroyedException} once the instance's keys were destroyed; an
 * {@link io.tideline.core.storage.ObjectAuthenticationException}-worthy failure is reported as
 * {@link KeyUnwrapException} (wrong context, tampered header); anything else as an unchecked exception
 * whose message names the instance.
 */
public interface KeyService {

    /** A new random data key for one object of {@code instance}, wrapped by the instance's current KEK version. */
    DataKey newDataKey(InstanceId instance, String context);

    /** The data key inside {@code wrapped}, if {@code instance}'s KEK version named by it still exists. */
    javax.crypto.SecretKey unwrap(InstanceId instance, WrappedKey wrapped, String context);

    /** Makes a new KEK version current for new objects; older versions stay for reading. Returns the new version. */
    int rotate(InstanceId instance);

    /**
     * Destroys every KEK version of {@code instance} (crypto-shredding): every object ever written for it
     * becomes unreadable, wherever copies of it are. Remembers when, so later reads can say why they fail.
     */
    void destroy(InstanceId instance);

    /** When {@code instance}'s keys were destroyed, if they were. */
    Optional<Instant> destroyedAt(InstanceId instance);

    /** The KEK version new objects of {@code instance} are written under; empty if it has no keys yet. */
    Optional<Integer> currentVersion(InstanceId instance);
}
