package io.tideline.core.access;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * BCrypt (BouncyCastle's {@link OpenBSDBCrypt}, {@code $2y$}, cost {@value #COST}): the hash of a local user's
 * password. The cost makes one guess take tens of milliseconds; sign-ins are also rate-limited by the service.
 */
public final class PasswordHashing {

    /** 2^12 rounds: about a quarter of a second per check on a loaded two-core machine. */
    static final int COST = 12;
    /** BCrypt reads at most 72 bytes of a password; longer ones are refused rather than cut silently. */
    static final int MAX_BYTES = 72;

    private final SecureRandom random;

    public PasswordHashing(SecureRandom random) {
        this.random = random;
    }

    public PasswordHashing() {
        this(new SecureRandom());
    }

    public String hash(char[] password) {
        check(password);
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password, salt, COST);
    }

    /** Whether {@code password} is the one {@code hash} was made from; false for anything that is not a BCrypt hash. */
    public static boolean matches(String hash, char[] password) {
        if (password == null || password.length == 0 || utf8Length(password) > MAX_BYTES) {
            return false;
        }
        try {
            return OpenBSDBCrypt.checkPassword(hash, password);
        } catch (IllegalArgumentException | NullPointerException notAHash) {
            return false;
        }
    }

    /** A new random password: 24 characters of base64url (144 bits). */
    public String newPassword() {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void check(char[] password) {
        if (password == null || password.length < 8) {
            throw new IllegalArgumentException("a password needs at least 8 characters");
        }
        if (utf8Length(password) > MAX_BYTES) {
            throw new IllegalArgumentException("a password may have at most " + MAX_BYTES + " bytes (BCrypt reads no more)");
        }
    }

    private static int utf8Length(char[] password) {
        return new String(password).getBytes(StandardCharsets.UTF_8).length;
    }
}
