package io.tideline.core.access;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A role on a group of instances: {@code instances} is a comma-separated list of glob patterns of instance ids
 * ({@code *} any run of characters, {@code ?} one), e.g. {@code *}, {@code orders-*}, {@code orders,billing-?}.
 */
public record Grant(Role role, String instances) {

    /** What a pattern may hold: an instance id's characters and the two wildcards. */
    private static final Pattern PATTERN = Pattern.compile("[a-z0-9*?-]+");

    public Grant {
        Objects.requireNonNull(role, "role");
        if (instances == null || instances.isBlank()) {
            throw new IllegalArgumentException("a grant needs instances: a glob such as '*' or 'orders-*'");
        }
        instances = instances.strip();
        for (String p : patterns(instances)) {
            if (!PATTERN.matcher(p).matches()) {
                throw new IllegalArgumentException("'" + p + "' is not a pattern of instance ids (lower-case letters, digits, "
                        + "dashes, * and ?)");
            }
        }
    }

    /** Every instance. */
    public static Grant everywhere(Role role) {
        return new Grant(role, "*");
    }

    /** Whether this grant gives at least {@code needed} on {@code instanceId}. */
    public boolean allows(String instanceId, Role needed) {
        return role.includes(needed) && covers(instanceId);
    }

    public boolean covers(String instanceId) {
        return patterns(instances).stream().anyMatch(p -> glob(p).matcher(instanceId).matches());
    }

    @Override
    public String toString() {
        return role.word() + " on " + instances;
    }

    private static List<String> patterns(String instances) {
        return Arrays.stream(instances.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
