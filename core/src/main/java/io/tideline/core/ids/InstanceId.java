package io.tideline.core.ids;

import java.util.regex.Pattern;

/**
 * An instance id. It names the instance's bucket ({@code tideline-<id>}), so it is restricted to
 * what S3 bucket names allow: lower-case letters, digits and dashes, 3 to 40 characters.
 */
public record InstanceId(String value) {

    /**
     * THE rule for an instance id (and so for a new instance's name), as one regular expression that means the
     * same in Java and in a browser's JavaScript: the Backups view checks a name with it before sending it.
     */
    public static final String RULE = "(?!.*--)[a-z0-9][a-z0-9-]{1,38}[a-z0-9]";
    /** {@link #RULE} in words. */
    public static final String RULE_TEXT = "3-40 lower-case letters, digits and single dashes, starting and ending with a letter or digit";

    private static final Pattern VALID = Pattern.compile(RULE);

    public InstanceId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("not a valid instance id (" + RULE_TEXT + "): '" + value + "'");
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
