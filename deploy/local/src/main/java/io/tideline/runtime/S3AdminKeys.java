package io.tideline.runtime;

import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The S3 server's admin identity of one home: minted at the first start and kept in the secret
 * store, so the data written under it stays reachable after {@code down} + {@code up}. Only the
 * storage provisioner and the operator's tools use it; a service acting for one instance never does.
 */
public record S3AdminKeys(String accessKey, String secretKey) {

    static final SecretRef ACCESS_KEY = SecretRef.of("runtime/s3-admin-access-key");
    static final SecretRef SECRET_KEY = SecretRef.of("runtime/s3-admin-secret-key");

    public S3AdminKeys {
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
    }

    /** The keys kept in {@code secrets}, if a runtime was ever started with them. */
    public static java.util.Optional<S3AdminKeys> find(SecretStore secrets) {
        var access = secrets.find(ACCESS_KEY);
        var secret = secrets.find(SECRET_KEY);
        return access.isPresent() && secret.isPresent()
                ? java.util.Optional.of(new S3AdminKeys(access.get(), secret.get())) : java.util.Optional.empty();
    }

    /** The keys kept in {@code secrets}, or new random ones (stored before they are returned). */
    public static S3AdminKeys forHome(SecretStore secrets) {
        var kept = find(secrets);
        if (kept.isPresent()) {
            return kept.get();
        }
        SecureRandom random = new SecureRandom();
        S3AdminKeys keys = new S3AdminKeys("admin-" + hex(random, 8), hex(random, 20));
        secrets.put(SECRET_KEY, keys.secretKey());
        secrets.put(ACCESS_KEY, keys.accessKey());
        return keys;
    }

    private static String hex(SecureRandom random, int bytes) {
        byte[] buffer = new byte[bytes];
        random.nextBytes(buffer);
        return HexFormat.of().formatHex(buffer);
    }

    @Override
    public String toString() {
        return "S3AdminKeys[accessKey=" + accessKey + ", secretKey=***]";
    }
}
