package io.tideline.restore.view;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.tideline.core.ids.BackupId;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * {@code GET /api/instances/{id}/backups}: an instance's backup history and what it can be restored to,
 * as its bucket (the source of truth) shows it now. Every time is a UTC ISO-8601 string.
 *
 * @param window     the restorable window (empty {@code ranges} when nothing is restorable yet)
 * @param newestWal  the newest WAL object stored, if any
 * @param backups    newest first: complete backups (restorable or not, and why) and directories without
 *                   a manifest (a backup being uploaded, or the remains of one that failed)
 * @param failures   recent {@code BackupFailed} events, newest first
 * @param problems   objects of the bucket that could not be made sense of
 * @param restores   restores of this instance known to the view, newest first
 * @param drills     its restore drills: policy, last good drill ("last proven restorable"), a failure since
 */
@Serdeable
public record BackupsView(InstanceSummary instance, String generatedAt, Window window, @Nullable NewestWal newestWal,
                          List<BackupRow> backups, List<FailureRow> failures, List<String> problems,
                          List<RestoreStatus> restores, Drills drills) {

    public BackupsView {
        backups = List.copyOf(backups);
        failures = List.copyOf(failures);
        problems = List.copyOf(problems);
        restores = List.copyOf(restores);
    }

    /**
     * The instance's restore drills: its policy ({@code off} or an ISO-8601 period), its last good drill (null
     * fields: none yet), and the last drill if it failed after that.
     */
    @Serdeable
    public record Drills(String policy, @Nullable String lastProvenAt, @Nullable String lastProvenDrillId,
                         @Nullable Double lastProvenRtoSeconds, @Nullable String lastFailedAt, @Nullable String lastFailedReason) {
    }

    /** The window: {@code from}/{@code to} are its ends; several {@code ranges} mean WAL gaps between them. */
    @Serdeable
    public record Window(@Nullable String from, @Nullable String to, List<Range> ranges) {
    }

    @Serdeable
    public record Range(String from, String to) {
    }

    @Serdeable
    public record NewestWal(long timeline, String segment, String endLsn, String storedAt, boolean partial) {
    }

    /**
     * @param status          {@code RESTORABLE}, {@code UNUSABLE} (see {@code note}) or {@code INCOMPLETE} (no manifest)
     * @param restorableUntil for a restorable backup, the last moment it restores to
     * @param reason          why it was taken ({@code DAILY}, {@code ON_DEMAND}, ...) as the timeline says; null if unknown
     * @param rawBytes        its uncompressed size as the timeline says; null until it completed (or unknown)
     */
    @Serdeable
    public record BackupRow(String backupId, @Nullable Long timeline, @Nullable String startLsn, @Nullable String endLsn,
                            @Nullable String startedAt, @Nullable String finishedAt, long storedBytes, String status,
                            @Nullable String restorableUntil, @Nullable String note, @Nullable String reason,
                            @Nullable Long rawBytes) {
        public static final String RESTORABLE = "RESTORABLE";
        public static final String UNUSABLE = "UNUSABLE";
        public static final String INCOMPLETE = "INCOMPLETE";

        /**
         * Newest first, by start time (to the millisecond; an incomplete backup, with no manifest, by the
         * second its id carries), then id: two backups started within one second keep their real order.
         */
        public static final Comparator<BackupRow> NEWEST_FIRST = Comparator.comparing(BackupRow::startedOrIdSecond)
                .thenComparing(BackupRow::backupId).reversed();

        private Instant startedOrIdSecond() {
            return startedAt != null ? Instant.parse(startedAt) : BackupId.parse(backupId).startSecond();
        }
    }

    @Serdeable
    public record FailureRow(String backupId, String commandId, @Nullable String startedAt, String failedAt, String reason) {
    }
}
