package io.tideline.core.registry;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.secrets.SecretRef;
import io.tideline.schemas.InstanceRegistered;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the fleet knows about one instance: how to reach it, where its backups live, and the
 * references (never the values) of its secrets. The domain view of {@link InstanceRegistered}.
 *
 * <p>{@code adopted}: an existing server Tideline did not make ({@code tideline instance register}).
 * Tideline only reads from it; it never starts, stops, reconfigures or deletes it, and it has no
 * tenant role of Tideline's ({@link #ownerUser()} is the owner's business there).
 */
public record RegisteredInstance(
        InstanceId id,
        String name,
        String host,
        int port,
        String database,
        String superuser,
        SecretRef superuserSecret,
        String replicationUser,
        SecretRef replicationSecret,
        String bucket,
        SecretRef s3AccessKey,
        SecretRef s3SecretKey,
        int postgresVersion,
        long walSegmentSize,
        Optional<Integer> backupWindowStartMinuteUtc,
        Optional<Integer> retentionDays,
        Optional<Origin> restoredFrom,
        Instant registeredAt,
        DrillPolicy restoreDrill,
        boolean adopted,
        Optional<Duration> rtoBudget) {

    /** Without an RTO budget (the default). */
    public RegisteredInstance(InstanceId id, String name, String host, int port, String database, String superuser,
                              SecretRef superuserSecret, String replicationUser, SecretRef replicationSecret, String bucket,
                              SecretRef s3AccessKey, SecretRef s3SecretKey, int postgresVersion, long walSegmentSize,
                              Optional<Integer> backupWindowStartMinuteUtc, Optional<Integer> retentionDays,
                              Optional<Origin> restoredFrom, Instant registeredAt, DrillPolicy restoreDrill, boolean adopted) {
        this(id, name, host, port, database, superuser, superuserSecret, replicationUser, replicationSecret, bucket,
                s3AccessKey, s3SecretKey, postgresVersion, walSegmentSize, backupWindowStartMinuteUtc, retentionDays,
                restoredFrom, registeredAt, restoreDrill, adopted, Optional.empty());
    }

    /** An instance Tideline made (not adopted). */
    public RegisteredInstance(InstanceId id, String name, String host, int port, String database, String superuser,
                              SecretRef superuserSecret, String replicationUser, SecretRef replicationSecret, String bucket,
                              SecretRef s3AccessKey, SecretRef s3SecretKey, int postgresVersion, long walSegmentSize,
                              Optional<Integer> backupWindowStartMinuteUtc, Optional<Integer> retentionDays,
                              Optional<Origin> restoredFrom, Instant registeredAt, DrillPolicy restoreDrill) {
        this(id, name, host, port, database, superuser, superuserSecret, replicationUser, replicationSecret, bucket,
                s3AccessKey, s3SecretKey, postgresVersion, walSegmentSize, backupWindowStartMinuteUtc, retentionDays,
                restoredFrom, registeredAt, restoreDrill, false);
    }

    /** An instance with the default restore drill policy (weekly, no probe). */
    public RegisteredInstance(InstanceId id, String name, String host, int port, String database, String superuser,
                              SecretRef superuserSecret, String replicationUser, SecretRef replicationSecret, String bucket,
                              SecretRef s3AccessKey, SecretRef s3SecretKey, int postgresVersion, long walSegmentSize,
                              Optional<Integer> backupWindowStartMinuteUtc, Optional<Integer> retentionDays,
                              Optional<Origin> restoredFrom, Instant registeredAt) {
        this(id, name, host, port, database, superuser, superuserSecret, replicationUser, replicationSecret, bucket,
                s3AccessKey, s3SecretKey, postgresVersion, walSegmentSize, backupWindowStartMinuteUtc, retentionDays,
                restoredFrom, registeredAt, DrillPolicy.DEFAULT);
    }

    public RegisteredInstance {
        if (adopted && restoredFrom.isPresent()) {
            // A restore always makes its instance: an adopted server cannot have come out of one.
            throw new IllegalArgumentException("an adopted server cannot be a restored instance");
        }
        // The event carries milliseconds; keeping the same precision here makes a registration equal
        // to what every reader decodes from it.
        registeredAt = registeredAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        java.util.Objects.requireNonNull(restoreDrill, "restoreDrill");
        java.util.Objects.requireNonNull(rtoBudget, "rtoBudget");
        rtoBudget.ifPresent(RegisteredInstance::requirePositiveBudget);
    }

    /** A budget is whole seconds (what the event carries) and at least one. */
    public static Duration requirePositiveBudget(Duration budget) {
        if (budget.toSeconds() < 1) {
            throw new IllegalArgumentException("an RTO budget must be at least 1 s: " + budget);
        }
        return budget;
    }

    /** This registration with another RTO budget (empty = none). */
    public RegisteredInstance withRtoBudget(Optional<Duration> budget) {
        return new RegisteredInstance(id, name, host, port, database, superuser, superuserSecret, replicationUser,
                replicationSecret, bucket, s3AccessKey, s3SecretKey, postgresVersion, walSegmentSize,
                backupWindowStartMinuteUtc, retentionDays, restoredFrom, registeredAt, restoreDrill, adopted,
                budget.map(b -> Duration.ofSeconds(b.toSeconds())));
    }

    /** The source instance and restore that made a restored instance. */
    public record Origin(InstanceId sourceInstanceId, String restoreId) {
    }

    /**
     * The role to hand the instance's tenant (never {@link #superuser}, which is Tideline's): the same
     * name on every instance, its password under {@link InstanceCredentials#ownerSecret}.
     */
    public String ownerUser() {
        return InstanceCredentials.OWNER_USER;
    }

    public SecretRef ownerSecret() {
        return InstanceCredentials.ownerSecret(id);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public static RegisteredInstance from(InstanceRegistered event) {
        return new RegisteredInstance(
                InstanceId.of(event.getInstanceId()),
                event.getName(),
                event.getHost(),
                event.getPort(),
                event.getDatabase(),
                event.getSuperuser(),
                SecretRef.of(event.getSuperuserSecretRef()),
                event.getReplicationUser(),
                SecretRef.of(event.getReplicationSecretRef()),
                event.getBucket(),
                SecretRef.of(event.getS3AccessKeyRef()),
                SecretRef.of(event.getS3SecretKeyRef()),
                event.getPostgresVersion(),
                event.getWalSegmentSize(),
                Optional.ofNullable(event.getBackupWindowStartMinuteUtc()),
                Optional.ofNullable(event.getRetentionDays()),
                Optional.ofNullable(event.getRestoredFrom())
                        .map(o -> new Origin(InstanceId.of(o.getSourceInstanceId()), o.getRestoreId())),
                event.getRegisteredAt(),
                DrillPolicy.from(event.getRestoreDrill()),
                event.getAdopted(),
                Optional.ofNullable(event.getRtoBudgetSeconds()).map(Duration::ofSeconds));
    }

    /** The event that registers this instance, as of {@code now}. */
    public InstanceRegistered toEvent(java.util.UUID eventId, Instant now) {
        return InstanceRegistered.newBuilder()
                .setEventId(eventId)
                .setInstanceId(id.value())
                .setOccurredAt(now)
                .setName(name)
                .setHost(host)
                .setPort(port)
                .setDatabase(database)
                .setSuperuser(superuser)
                .setSuperuserSecretRef(superuserSecret.value())
                .setReplicationUser(replicationUser)
                .setReplicationSecretRef(replicationSecret.value())
                .setBucket(bucket)
                .setS3AccessKeyRef(s3AccessKey.value())
                .setS3SecretKeyRef(s3SecretKey.value())
                .setPostgresVersion(postgresVersion)
                .setWalSegmentSize(walSegmentSize)
                .setBackupWindowStartMinuteUtc(backupWindowStartMinuteUtc.orElse(null))
                .setRetentionDays(retentionDays.orElse(null))
                .setRestoredFrom(restoredFrom
                        .map(o -> io.tideline.schemas.RestoreOrigin.newBuilder()
                                .setSourceInstanceId(o.sourceInstanceId().value())
                                .setRestoreId(o.restoreId())
                                .build())
                        .orElse(null))
                // the default is written as null, so a registration without a choice stays as it was
                .setRestoreDrill(restoreDrill.equals(DrillPolicy.DEFAULT) ? null : restoreDrill.toEvent())
                .setRegisteredAt(registeredAt)
                .setAdopted(adopted)
                .setRtoBudgetSeconds(rtoBudget.map(Duration::toSeconds).orElse(null))
                .build();
    }
}
