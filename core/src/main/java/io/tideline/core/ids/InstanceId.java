package io.tideline.core.ids;

import java.util.regex.Pattern;

/**
 * An instance id. It names the instance's bucket ({@code tideline-<id>}), so it is restricted to
 * what S3 bucket names allow: lower-case letters, digits and dashes, 3 to 40 characters.
 */
public record InstanceId(String value) {

    private static final Pattern VALID = Pattern.compile("[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]");

    public InstanceId {
        if (value == null || !VALID.matcher(value).matches() || value.contains("--")) {
            throw new IllegalArgumentException("not a valid instance id (3-40 of a-z, 0-9 and single dashes, "
                    + "starting and ending with a letter or digit): '" + value + "'");
        }
    }

    public static InstanceId of(String value) {
        return new InstanceId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
