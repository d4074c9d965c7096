package io.tideline.core.secrets;

import java.util.regex.Pattern;

/** A reference to a secret, safe to put in events and logs: {@code instances/pg-1/postgres}. */
public record SecretRef(String value) {

    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*");

    public SecretRef {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("not a secret reference (lower-case path segments): '" + value + "'");
        }
    }

    public static SecretRef of(String value) {
        return new SecretRef(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
