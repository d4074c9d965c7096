package io.tideline.core.access;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a person may do on an instance. Each role includes the ones before it: a restorer also views, an admin
 * also restores.
 */
public enum Role {
    /** The instance's backups, window, restores and changes: read only. */
    VIEWER,
    /** Start, follow and cancel restores of the instance; back it up now. */
    RESTORER,
    /** Register and remove instances, retention, drills (today CLI operations on the home or Kafka). */
    ADMIN;

    /** Whether this role allows what {@code needed} allows. */
    public boolean includes(Role needed) {
        return ordinal() >= needed.ordinal();
    }

    /** The word people type: viewer, restorer, admin. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the roles there are */
    public static Role parse(String text) {
        String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        for (Role r : values()) {
            if (r.name().equals(t)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no role '" + text + "': use one of "
                + Arrays.stream(values()).map(Role::word).collect(Collectors.joining(", ")));
    }
}
