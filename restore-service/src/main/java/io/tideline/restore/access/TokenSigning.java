package io.tideline.restore.access;

import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The key the CLI's tokens are signed with (HMAC-SHA256 JWTs): 256 random bits made once and kept in the secret
 * store, so tokens outlive a restart and every replica reading the same store accepts them; never in a property, a
 * log or the process list.
 */
public final class TokenSigning {

    public static final SecretRef KEY = SecretRef.of("tideline/token-signing-key");

    private TokenSigning() {
    }

    /** The key, base64; made on first use (the first of concurrent makers wins). */
    public static String key(SecretStore secrets) {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        secrets.putIfAbsent(KEY, Base64.getEncoder().encodeToString(bytes));
        return secrets.get(KEY);
    }
}
