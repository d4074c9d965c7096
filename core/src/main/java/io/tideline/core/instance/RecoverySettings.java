package io.tideline.core.instance;

import io.tideline.core.restore.RestoreTarget;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * @param target         where to stop; {@link RestoreTarget.Latest} replays all WAL that can be fetched
 * @param recoveryOnly   server settings in force only while the instance recovers, chosen for replay speed
 *                       (e.g. {@code fsync=off}); the provisioner puts the instance's own settings back and makes
 *                       everything durable in {@link InstanceProvisioner#finishRecovery}, before the instance is used
 */
public record RecoverySettings(String restoreCommand, RestoreTarget target, Map<String, String> recoveryOnly) {

    private static final java.util.regex.Pattern SETTING_NAME = java.util.regex.Pattern.compile("[a-z_][a-z0-9_.]*");

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
        Objects.requireNonNull(target, "target");
        recoveryOnly = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(recoveryOnly));
        recoveryOnly.forEach((k, v) -> {
            if (!SETTING_NAME.matcher(k).matches() || v == null || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("not a PostgreSQL setting: '" + k + "' = '" + v + "'");
            }
        });
    }

    /** With no recovery-only settings: the instance recovers with its own. */
    public RecoverySettings(String restoreCommand, RestoreTarget target) {
        this(restoreCommand, target, Map.of());
    }

    /** The same recovery, with {@code settings} in force only while the instance recovers. */
    public RecoverySettings withRecoveryOnly(Map<String, String> settings) {
        return new RecoverySettings(restoreCommand, target, settings);
    }

    /** Replays everything that can be fetched, then promotes. */
    public static RecoverySettings toLatest(String restoreCommand) {
        return new RecoverySettings(restoreCommand, RestoreTarget.latest());
    }

    /** Stops before the first commit after {@code target}, then promotes. */
    public static RecoverySettings toTime(String restoreCommand, Instant target) {
        return new RecoverySettings(restoreCommand, RestoreTarget.at(target));
    }

    /** Stops at {@code target} (any kind), then promotes. */
    public static RecoverySettings to(String restoreCommand, RestoreTarget target) {
        return new RecoverySettings(restoreCommand, target);
    }

    /** The target time, when the target is a time. */
    public Optional<Instant> targetTime() {
        return target.targetTime();
    }

    /**
     * {@code recovery_target_time} in a form the server parses the same whatever its
     * {@code timezone} setting: microseconds, explicit {@code +00:00}.
     */
    public Optional<String> postgresTargetTime() {
        return targetTime().map(POSTGRES_TIME::format);
    }

    /**
     * The server's {@code recovery_target*} settings for the target (none for latest): exactly one of
     * {@code recovery_target_time/_lsn/_xid/_name} or {@code recovery_target = 'immediate'}, and
     * {@code recovery_target_inclusive} for the kinds it applies to (written even when on, PostgreSQL's
     * default, so the file says what the restore asked for).
     */
    public Map<String, String> postgresTargetSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        if (target instanceof RestoreTarget.AtTime t) {
            s.put("recovery_target_time", POSTGRES_TIME.format(t.time()));
            s.put("recovery_target_inclusive", t.inclusive() ? "on" : "off");
        } else if (target instanceof RestoreTarget.AtLsn l) {
            s.put("recovery_target_lsn", l.lsn().toString());
            s.put("recovery_target_inclusive", l.inclusive() ? "on" : "off");
        } else if (target instanceof RestoreTarget.AtXid x) {
            s.put("recovery_target_xid", Long.toString(x.walXid()));
            s.put("recovery_target_inclusive", x.inclusive() ? "on" : "off");
        } else if (target instanceof RestoreTarget.AtName n) {
            s.put("recovery_target_name", n.name());
        } else if (target instanceof RestoreTarget.Immediate) {
            s.put("recovery_target", "immediate");
        }
        return s;
    }
}
