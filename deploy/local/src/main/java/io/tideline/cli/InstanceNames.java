package io.tideline.cli;

import io.tideline.core.ids.InstanceId;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;

/** How the instance commands read a new instance's name and its backup window. */
final class InstanceNames {

    private InstanceNames() {
    }

    static InstanceId id(String name) {
        try {
            return InstanceId.of(name);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("'" + name + "' cannot name an instance: use 3-40 lower-case letters, digits and "
                    + "single dashes, starting and ending with a letter or digit");
        }
    }

    static int minuteOfDay(String hhmm) {
        try {
            LocalTime time = LocalTime.parse(hhmm);
            return time.getHour() * 60 + time.getMinute();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--backup-window must be HH:MM (UTC), got '" + hhmm + "'");
        }
    }
}
