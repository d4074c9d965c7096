package io.tideline.cli.demo;

import io.tideline.core.postgres.PostgresTls;
import io.tideline.cli.CliException;
import io.tideline.cli.Deployment;
import io.tideline.cli.NoAnswer;
import io.tideline.cli.audit.AuditChecks;
import io.tideline.cli.audit.AuditEvent;
import io.tideline.cli.audit.AuditLog;
import io.tideline.cli.audit.Finding;
import io.tideline.cli.audit.StoredWalCheck;
import io.tideline.cli.backup.BackupPhases;
import io.tideline.cli.backup.OnDemandBackup;
import io.tideline.cli.events.Event;
import io.tideline.cli.events.EventStream;
import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.instance.LocalOnboarding;
import io.tideline.cli.output.Progress;
import io.tideline.cli.ApiClient;
import io.tideline.cli.CliToken;
import io.tideline.cli.restore.ApiRestores;
import io.tideline.cli.restore.RestoreClient;
import io.tideline.runtime.FirstAdmin;
import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestoreTarget;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.runtime.DurationText;
import io.tideline.runtime.EmbeddedRuntime;
import io.tideline.runtime.ManagedInstances;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeInfo;
import io.tideline.runtime.RuntimeOptions;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupProgress;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.WalSegmentStored;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The whole Tideline story on the embedded runtime, narrated and checked: start, create an instance,
 * write, take the daily backup, keep writing while WAL streams, an accidental {@code DELETE}, restore
 * to the moment just before it into a NEW instance, and check the result. Everything it starts it
 * stops, also when it fails.
 */
public final class DemoStory {

    /** @param rows rows written before the backup; as many again are written after it */
    public record Options(RuntimeHome home, String instanceName, String restoredName, int rows) {
        public Options {
            InstanceId.of(instanceName);
            InstanceId.of(restoredName);
            if (rows < 1_000) {
                throw new IllegalArgumentException("the demo needs at least 1000 rows, got " + rows);
            }
        }
    }

    static final int STEPS = 10;
    private static final Duration BACKUP_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration WAL_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration REGISTRATION_TIMEOUT = Duration.ofSeconds(60);
    private static final int AFTER_BACKUP_BATCHES = 8;

    private final Options options;
    private final Clock clock;
    private final Narrator narrator;
    private final List<DemoReport.Check> checks = new ArrayList<>();
    private final List<DemoReport.Fact> facts = new ArrayList<>();
    private Duration walFlushInterval = Duration.ZERO;

    public DemoStory(Options options, Clock clock, java.io.PrintWriter out, java.io.PrintWriter err, boolean interactive) {
        this.options = options;
        this.clock = clock;
        this.narrator = new Narrator(out, err, interactive, clock, STEPS);
    }

    /** Runs the story on a runtime it starts and stops; the report says whether every check held. */
    public DemoReport run(RuntimeOptions runtimeOptions) {
        walFlushInterval = runtimeOptions.walFlushInterval();
        narrator.step("start the runtime", "Start the embedded runtime in " + options.home());
        EmbeddedRuntime runtime = EmbeddedRuntime.start(options.home(), runtimeOptions, clock, narrator::say);
        // The instances outlive a runtime; the demo stops everything it started, them included.
        Runnable stopAll = () -> {
            runtime.close();
            ManagedInstances.of(options.home()).stopAll();
        };
        Thread stopOnInterrupt = new Thread(stopAll, "tideline-demo-stop");
        Runtime.getRuntime().addShutdownHook(stopOnInterrupt);
        try {
            RuntimeInfo info = runtime.info();
            narrator.done("Kafka " + info.kafkaBootstrapServers() + ", S3 " + info.s3Endpoint() + ", services " + info.api());
            narrator.say("over TLS: the services' API and the Backups view serve HTTPS only, the S3 server HTTPS, Kafka TLS "
                    + "with a certificate per service and ACLs; every "
                    + "certificate comes from the Tideline CA in " + options.home().secretsDir().resolve("tls")
                    + " and is renewed while the runtime runs");
            facts.add(new DemoReport.Fact("TLS", "HTTPS for the API and view, S3 over HTTPS, Kafka mTLS with ACLs (Tideline CA)"));
            facts.add(new DemoReport.Fact("WAL flush interval", DurationText.format(runtimeOptions.walFlushInterval())));
            Deployment deployment = new Deployment(options.home(), info.kafkaBootstrapServers(), Optional.of(info.s3Endpoint()),
                    Optional.of(info.api()), Optional.of(info), NoAnswer.DEFAULT_TIMEOUT);
            signIn(deployment);
            try (KafkaAccess kafka = KafkaAccess.of(deployment)) {
                story(kafka, deployment);
            } catch (SQLException e) {
                throw CliException.failure("the demo's database work failed: " + e.getMessage(), e);
            }
        } finally {
            narrator.step("stop the runtime", "Stop the runtime (services, S3, Kafka) and the instances");
            stopAll.run();
            narrator.done("everything the demo started is stopped; its data stays in " + options.home());
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnInterrupt);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down (Ctrl-C): the hook is running
            }
        }
        return new DemoReport(narrator.steps(), facts, checks);
    }

    /**
     * Signs in as the runtime's first admin (its password file, as a person would with {@code tideline login}): the
     * API and the view take only signed-in people (issue 14.2).
     */
    private void signIn(Deployment deployment) {
        java.nio.file.Path passwordFile = options.home().adminPasswordFile();
        ApiClient anonymous = ApiClient.anonymous(deployment);
        java.net.http.HttpResponse<String> answer = anonymous.post("/api/tokens", java.util.Map.of("username", FirstAdmin.NAME,
                "password", io.tideline.cli.instance.PasswordFile.read(passwordFile, "the admin password file")));
        if (answer.statusCode() != 201) {
            throw CliException.failure("the demo could not sign in as " + FirstAdmin.NAME + " (" + ApiClient.describe(answer) + ")");
        }
        try {
            com.fasterxml.jackson.databind.JsonNode body = io.tideline.cli.output.Json.MAPPER.readTree(answer.body());
            new CliToken(anonymous.api(), FirstAdmin.NAME, body.get("token").asText(), java.time.Instant.parse(body.get("expiresAt").asText()))
                    .write(options.home());
        } catch (java.io.IOException e) {
            throw CliException.failure("the sign-in answer cannot be read: " + e.getMessage(), e);
        }
        narrator.say("signed in as " + FirstAdmin.NAME + " (password in " + passwordFile + ", token in "
                + options.home().tokenFile() + ")");
        facts.add(new DemoReport.Fact("signed in as", FirstAdmin.NAME + " (the runtime's first admin)"));
    }

    private void story(KafkaAccess kafka, Deployment deployment) throws SQLException {
        DirectorySecretStore secrets = new DirectorySecretStore(options.home().secretsDir());

        narrator.step("create the instance", "Create the instance '" + options.instanceName() + "' (PostgreSQL 15, its own bucket and credentials)");
        RegisteredInstance source;
        try (LocalOnboarding local = LocalOnboarding.of(deployment, kafka.publisher(), clock)) {
            source = local.onboarding().create(InstanceId.of(options.instanceName()), options.instanceName(),
                    InstanceOnboarding.Options.defaults());
        }
        PostgresTls sourceTls = PostgresTls.forInstance(secrets, source.id());
        Workload app = new Workload(source.host(), source.port(), source.database(), source.ownerUser(),
                secrets.get(source.ownerSecret()), sourceTls);
        narrator.done(source.host() + ":" + source.port() + ", bucket " + source.bucket() + ", "
                + (sourceTls.encrypted() ? "TLS (sslmode=verify-full, certificate from the Tideline CA)" : "no TLS"));

        narrator.step("write orders", "Run a workload: " + options.rows() + " orders");
        app.createSchema();
        int batches = 4;
        for (int b = 0; b < batches; b++) {
            app.insert(options.rows() / batches, b);
            narrator.progress().updateCount("writing orders", (long) (b + 1) * (options.rows() / batches), options.rows());
        }
        Workload.Snapshot afterLoad = app.snapshot();
        narrator.done(afterLoad.toString());

        narrator.step("daily backup", "Take the daily backup");
        OnDemandBackup backups = new OnDemandBackup(kafka, clock);
        CommandId.Daily commandId = backups.todaysDailyId(source);
        narrator.say("command " + commandId + " (the scheduler's id for today's backup: taken once, whoever asks)");
        OnDemandBackup.Completed backup = backups.run(source, commandId,
                "tideline-demo", BACKUP_TIMEOUT, backupListener());
        BackupCompleted b = backup.event();
        Duration backupTook = Duration.between(b.getStartedAt(), b.getFinishedAt());
        facts.add(new DemoReport.Fact("base backup", b.getBackupId() + ", " + Progress.bytes(b.getBytesRaw()) + " read, "
                + Progress.bytes(b.getBytesStored()) + " stored, consistent at " + b.getFinishedAt()));
        narrator.done("backup " + b.getBackupId() + " restorable: " + Progress.bytes(b.getBytesRaw()) + " read, "
                + Progress.bytes(b.getBytesStored()) + " stored in " + DurationText.format(backupTook));

        narrator.step("write more, WAL streams", "Keep writing while WAL streams to the bucket");
        Instant lastGoodCommit = null;
        int perBatch = Math.max(100, options.rows() / AFTER_BACKUP_BATCHES);
        for (int i = 0; i < AFTER_BACKUP_BATCHES; i++) {
            lastGoodCommit = app.insert(perBatch, batches + i);
            narrator.progress().updateCount("writing more orders", (long) (i + 1) * perBatch, (long) AFTER_BACKUP_BATCHES * perBatch);
            sleep(Duration.ofMillis(700));
        }
        Workload.Snapshot good = app.snapshot();
        narrator.done(good + "; last commit at " + lastGoodCommit);

        narrator.step("accidental DELETE", "An accidental DELETE (the WHERE clause missed the customer)");
        sleep(Duration.ofMillis(1_000));
        Instant beforeDelete = app.serverTime();
        // The target: after the last good commit, before the DELETE (recovery stops before the first commit after it).
        Instant target = lastGoodCommit.plus(Duration.between(lastGoodCommit, beforeDelete).dividedBy(2)).truncatedTo(ChronoUnit.MILLIS);
        Lsn lsnBeforeDelete = app.currentLsn();
        Instant deleteCommitted;
        long deleted;
        Lsn lsnAfterDelete;
        try (EventStream timeline = kafka.fromEnd(Topics.TIMELINE)) {
            deleted = app.deleteBigOrders();
            deleteCommitted = app.serverTime();
            lsnAfterDelete = app.currentLsn();
            Workload.Snapshot afterDelete = app.snapshot();
            narrator.say(deleted + " rows deleted at " + deleteCommitted + " (WAL " + lsnBeforeDelete + " .. " + lsnAfterDelete + ")");
            narrator.done(afterDelete + " left; the moment to go back to: " + target);

            narrator.step("DELETE's WAL stored", "Wait until the DELETE's WAL is in the bucket (the partial segment, flushed every "
                    + DurationText.format(walFlushInterval) + ")");
            WalSegmentStored covering = awaitWal(timeline, source, lsnAfterDelete);
            Duration rpo = Duration.between(deleteCommitted, covering.getStoredAt());
            facts.add(new DemoReport.Fact("RPO seen", DurationText.format(rpo) + " from the DELETE's commit to its WAL stored"
                    + " (bound: the flush interval)"));
            narrator.done("segment " + covering.getSegment() + (covering.getPartial() ? " (partial)" : "") + " stored up to "
                    + covering.getEndLsn() + " at " + covering.getStoredAt() + ": " + DurationText.format(rpo) + " after the commit");

            narrator.step("restore to before it", "Restore '" + source.name() + "' to " + target + " into the NEW instance '" + options.restoredName() + "'");
            ApiClient api = ApiClient.signedIn(deployment, clock);
            narrator.say("asked through the API as the signed-in user " + api.token().orElseThrow().user()
                    + " (the server writes who asked into the request)");
            RestoreClient.Completed restore = new RestoreClient(kafka, clock).restore(source, RestoreTarget.at(target),
                    Optional.of(options.restoredName()), new ApiRestores(api), Duration.ofMinutes(2), RESTORE_TIMEOUT, restoreListener());
            RestoreCompleted r = restore.event();
            Duration restoreTook = Duration.between(restore.requestedAt(), r.getOccurredAt());
            facts.add(new DemoReport.Fact("restore", "to " + target + ", recovered to " + r.getRecoveredTo() + ", in "
                    + DurationText.format(restoreTook)));
            narrator.done(r.getNewInstanceId() + " on " + r.getHost() + ":" + r.getPort() + ", recovered to "
                    + r.getRecoveredTo() + ", WAL through " + r.getWalReplayedThroughSegment());

            narrator.step("checks", "Check the result");
            Workload restoredApp = new Workload(r.getHost(), r.getPort(), r.getDatabase(), r.getUser(),
                    secrets.get(SecretRef.of(r.getSecretRef())),
                    PostgresTls.forInstance(secrets, InstanceId.of(r.getNewInstanceId())));
            check(source, kafka, deployment, app, restoredApp, good, deleted, lsnAfterDelete, restore);
            long failed = checks.stream().filter(c -> !c.passed()).count();
            narrator.done(failed == 0 ? "all " + checks.size() + " checks held" : failed + " of " + checks.size() + " checks FAILED");
        }
    }

    private void check(RegisteredInstance source, KafkaAccess kafka, Deployment deployment, Workload original,
                       Workload restored, Workload.Snapshot good, long deleted, Lsn lsnAfterDelete,
                       RestoreClient.Completed restore) throws SQLException {
        Workload.Snapshot restoredRows = restored.snapshot();
        record("restored rows equal the rows before the DELETE", restoredRows.equals(good),
                "restored " + restoredRows + ", before the DELETE " + good);

        Workload.Snapshot originalRows = original.snapshot();
        record("the original still shows the DELETE", originalRows.rows() == good.rows() - deleted,
                "original has " + originalRows.rows() + " rows = " + good.rows() + " - " + deleted + " deleted");

        boolean both = original.answers() && restored.answers();
        record("both instances answer queries (read-write, not in recovery)", both,
                original.endpoint() + " and " + restored.endpoint());

        checkPartialSegment(source, kafka, lsnAfterDelete, restore);

        // issue 14.2: the request names the signed-in person, written by the server (the audit prints it)
        String requestedBy = new RestoreClient(kafka, clock).log().find(restore.restoreId()).requestedBy();
        record("the restore request names the signed-in user " + FirstAdmin.NAME + ", written by the server",
                ("user:" + FirstAdmin.NAME).equals(requestedBy), "requestedBy " + requestedBy);

        RestoreCompleted r = restore.event();
        Optional<RegisteredInstance> registered = awaitRegistration(kafka, r.getNewInstanceId());
        record("the new instance is registered as restored from " + source.name(),
                registered.flatMap(RegisteredInstance::restoredFrom).map(o -> o.sourceInstanceId().equals(source.id())
                        && o.restoreId().equals(r.getRestoreId())).orElse(false),
                registered.map(i -> i.name() + " (" + i.id() + ") from " + i.restoredFrom().map(o -> o.sourceInstanceId().value()
                        + ", restore " + o.restoreId()).orElse("nowhere")).orElse("not registered within " + REGISTRATION_TIMEOUT.toSeconds() + " s"));

        List<AuditEvent> log = AuditLog.replay(kafka);
        List<Finding> findings = new ArrayList<>(AuditChecks.check(log));
        Set<String> live = Set.copyOf(kafka.instances().all().stream().map(i -> i.id().value()).toList());
        int objects;
        try (ObjectStores stores = new ObjectStores(deployment.storeSettings(),
                new DirectorySecretStore(options.home().secretsDir()), clock)) {
            StoredWalCheck.Result stored = StoredWalCheck.run(log, live, stores);
            findings.addAll(stored.findings());
            objects = stored.objectsChecked();
        }
        record("the event log passes the audit", findings.isEmpty(), log.size() + " events, " + objects
                + " WAL objects checked against their events" + (findings.isEmpty() ? "" : "; first violation: " + findings.get(0).message()));
    }

    /**
     * The restore must have read the DELETE's segment while it existed only as the partial object: the
     * WAL of the last seconds, which a file-by-file archive would not have had yet.
     */
    private void checkPartialSegment(RegisteredInstance source, KafkaAccess kafka, Lsn lsnAfterDelete, RestoreClient.Completed restore) {
        long timeline = 1;
        List<WalSegmentStored> stored = new ArrayList<>();
        try (EventStream all = kafka.fromBeginning(Topics.TIMELINE)) {
            for (Event e : all.readToEndAtOpen(Duration.ofMinutes(1))) {
                if (source.id().value().equals(e.key()) && e.value().isPresent() && e.value().get() instanceof WalSegmentStored w) {
                    stored.add(w);
                    timeline = w.getTimeline();
                }
            }
        }
        WalSegmentName deleteSegment = WalSegmentName.of(timeline, lsnAfterDelete.minus(1), source.walSegmentSize());
        String name = deleteSegment.toString();
        Instant accepted = restore.accepted() == null ? restore.event().getOccurredAt() : restore.accepted().getOccurredAt();
        boolean completeBefore = stored.stream().anyMatch(w -> w.getSegment().equalsIgnoreCase(name) && !w.getPartial()
                && !w.getOccurredAt().isAfter(accepted));
        boolean partialCovering = stored.stream().anyMatch(w -> w.getSegment().equalsIgnoreCase(name) && w.getPartial()
                && !Lsn.parse(w.getEndLsn()).isBefore(lsnAfterDelete));
        String through = restore.event().getWalReplayedThroughSegment();
        record("the restore replayed WAL through the partial segment of the DELETE",
                name.equalsIgnoreCase(through) && partialCovering && !completeBefore,
                "replayed through " + through + "; the DELETE is in " + name + ", stored "
                        + (completeBefore ? "complete" : partialCovering ? "only as .partial" : "not at all") + " when the restore began");
    }

    private Optional<RegisteredInstance> awaitRegistration(KafkaAccess kafka, String id) {
        long deadline = System.nanoTime() + REGISTRATION_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<RegisteredInstance> found = kafka.instances().find(id);
            if (found.isPresent()) {
                return found;
            }
            sleep(Duration.ofMillis(250));
        }
        return Optional.empty();
    }

    private WalSegmentStored awaitWal(EventStream timeline, RegisteredInstance source, Lsn reach) {
        long deadline = System.nanoTime() + WAL_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (Event e : timeline.poll(Duration.ofMillis(250))) {
                if (source.id().value().equals(e.key()) && e.value().isPresent() && e.value().get() instanceof WalSegmentStored w) {
                    narrator.progress().update("WAL stored up to " + w.getEndLsn() + (w.getPartial() ? " (partial)" : ""), 0, 0);
                    if (!Lsn.parse(w.getEndLsn()).isBefore(reach)) {
                        return w;
                    }
                }
            }
            narrator.progress().update("waiting for the archiver's next flush", 0, 0);
        }
        throw CliException.failure("the WAL up to " + reach + " was not stored within " + WAL_TIMEOUT.toSeconds()
                + " s: is the archiver streaming? (see " + options.home().runtimeLog() + ")");
    }

    private void record(String name, boolean passed, String detail) {
        checks.add(new DemoReport.Check(name, passed, detail));
        narrator.say((passed ? "ok      " : "FAILED  ") + name + ": " + detail);
    }

    private OnDemandBackup.Listener backupListener() {
        return new OnDemandBackup.Listener() {
            @Override
            public void requested(String commandId) {
                narrator.progress().update("waiting for the archiver", 0, 0);
            }

            @Override
            public void started(BackupStarted s) {
                narrator.say("backup " + s.getBackupId() + " started at " + s.getStartedAt() + " from LSN " + s.getStartLsn());
                narrator.progress().update("copying the data directory", 0, 0);
            }

            @Override
            public void progress(BackupProgress p) {
                narrator.progress().update(BackupPhases.describe(p), p.getBytesDone(), p.getBytesTotal() == null ? 0 : p.getBytesTotal());
            }

            @Override
            public void walStored(WalSegmentStored w) {
                // BackupProgress tells what the backup waits for.
            }
        };
    }

    private RestoreClient.Listener restoreListener() {
        return new RestoreClient.Listener() {
            @Override
            public void requested(String restoreId) {
                narrator.say("restore " + restoreId + " requested");
                narrator.progress().update("waiting for the restore service", 0, 0);
            }

            @Override
            public void accepted(RestoreAccepted a) {
                narrator.say("accepted: new instance " + a.getNewInstanceId() + " from backup " + a.getBackupId());
            }

            @Override
            public void progress(RestoreProgress p) {
                narrator.progress().update(p.getPhase().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                                + (p.getWalSegmentsReplayed() > 0 ? ", " + p.getWalSegmentsReplayed() + " WAL segments" : ""),
                        p.getBytesDone(), p.getBytesTotal() == null ? 0 : p.getBytesTotal());
            }
        };
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted");
        }
    }
}
