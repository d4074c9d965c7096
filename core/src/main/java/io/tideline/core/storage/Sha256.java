package io.tideline.core.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A SHA-256 digest, printed as 64 lower-case hex digits: the form kept in object metadata
 * ({@code sha256}) and in backup manifests.
 */
public record Sha256(String hex) {

    private static final Pattern VALID = Pattern.compile("[0-9a-f]{64}");

    public Sha256 {
        if (hex == null || !VALID.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a sha256 (64 lower-case hex digits): '" + hex + "'");
        }
    }

    public static Sha256 parse(String hex) {
        return new Sha256(hex);
    }

    public static Sha256 ofDigest(byte[] digest) {
        if (digest.length != 32) {
            throw new IllegalArgumentException("a sha256 digest has 32 bytes, not " + digest.length);
        }
        return new Sha256(HexFormat.of().formatHex(digest));
    }

    public static Sha256 of(byte[] bytes) {
        return of(bytes, 0, bytes.length);
    }

    public static Sha256 of(byte[] bytes, int offset, int length) {
        MessageDigest digest = newDigest();
        digest.update(bytes, offset, length);
        return ofDigest(digest.digest());
    }

    /** A fresh SHA-256 {@link MessageDigest}; every JVM has one, so its absence is a broken runtime. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return hex;
    }
}
