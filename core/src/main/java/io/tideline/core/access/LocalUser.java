package io.tideline.core.access;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A person of the embedded runtime: a name, the BCrypt hash of the password (never the password), and grants.
 */
public record LocalUser(String name, String passwordHash, List<Grant> grants, Instant createdAt) {

    /** 2-40 lower-case letters, digits, dots, dashes and underscores, starting with a letter. */
    public static final Pattern NAME_RULE = Pattern.compile("[a-z][a-z0-9._-]{1,39}");

    public LocalUser {
        checkName(name);
        Objects.requireNonNull(passwordHash, "passwordHash");
        grants = List.copyOf(grants);
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** @throws IllegalArgumentException saying the rule */
    public static String checkName(String name) {
        if (name == null || !NAME_RULE.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' cannot name a user: use 2-40 lower-case letters, digits, "
                    + "dots, dashes and underscores, starting with a letter");
        }
        return name;
    }

    /** Whether any grant gives at least {@code needed} on {@code instanceId}. */
    public boolean allows(String instanceId, Role needed) {
        return grants.stream().anyMatch(g -> g.allows(instanceId, needed));
    }
}
