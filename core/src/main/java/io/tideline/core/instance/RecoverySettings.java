package io.tideline.core.instance;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;

/**
 * How a restored instance recovers: where the server gets WAL segments from and where it stops.
 * The instance always follows the latest timeline and promotes at the target, so it becomes a
 * normal read-write server.
 *
 * @param restoreCommand the server's {@code restore_command}, run by the server's OS user with
 *                       {@code %f} (file name) and {@code %p} (destination path) substituted; it must
 *                       exit non-zero when a file does not exist
 * @param targetTime     where to stop (recovery stops before the first commit after it), or empty to
 *                       replay all WAL that can be fetched
 */
public record RecoverySettings(String restoreCommand, Optional<Instant> targetTime) {

    private static final DateTimeFormatter POSTGRES_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

    public RecoverySettings {
        if (restoreCommand == null || restoreCommand.isBlank()) {
            throw new IllegalArgumentException("restore_command is missing");
        }
        if (restoreCommand.contains("\n") || restoreCommand.contains("\r") || restoreCommand.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("restore_command must be one line");
        }
        if (!restoreCommand.contains("%f") || !restoreCommand.contains("%p")) {
            throw new IllegalArgumentException("restore_command must use %f and %p: '" + restoreCommand + "'");
        }
        Objects.requireNonNull(targetTime, "targetTime");
    }

    /** Replays everything that can be fetched, then promotes. */
    public static RecoverySettings toLatest(String restoreCommand) {
        return new RecoverySettings(restoreCommand, Optional.empty());
    }

    /** Stops before the first commit after {@code target}, then promotes. */
    public static RecoverySettings toTime(String restoreCommand, Instant target) {
        return new RecoverySettings(restoreCommand, Optional.of(target));
    }

    /**
     * {@code recovery_target_time} in a form the server parses the same whatever its
     * {@code timezone} setting: microseconds, explicit {@code +00:00}.
     */
    public Optional<String> postgresTargetTime() {
        return targetTime.map(POSTGRES_TIME::format);
    }
}
