package io.tideline.cli;

import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.output.Json;
import io.tideline.cli.output.Progress;
import io.tideline.cli.restore.ApiRestores;
import io.tideline.cli.restore.InterruptNotice;
import io.tideline.cli.restore.RestoreClient;
import io.tideline.cli.restore.RestoreLog;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestoreTarget;
import io.tideline.core.secrets.SecretRef;
import io.tideline.runtime.DurationText;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore an instance to a moment into a NEW instance (the original is never touched), "
                + "follow the restore to its end and print how to connect.",
                "Exit status 4 with the reason when the restore is rejected (e.g. the time is outside the restorable "
                        + "window, see ./tideline backups INSTANCE) or fails."})
final class RestoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(paramLabel = "INSTANCE", arity = "0..1", description = "The source instance's name or id.")
    String instanceName;

    // Required unless --follow or --cancel (checked in call(), with picocli's own wording).
    @Option(names = "--to", paramLabel = "TARGET",
            description = {"Where to restore to: UTC ISO-8601 (2026-11-05T10:15:30Z), 'latest', lsn:0/3000028, xid:4711 "
                    + "(a transaction), name:NAME (a restore point, see restore-point create), 'immediate' (the newest "
                    + "backup's consistency point) or immediate:BACKUP_ID."})
    String to;

    @Option(names = "--exclusive", description = "Stop just before the target's transaction (a time, an LSN or an xid) "
            + "instead of just after it (default: inclusive, as PostgreSQL).")
    boolean exclusive;

    @Option(names = "--backup", paramLabel = "BACKUP_ID", description = "With --to immediate: the backup whose consistency "
            + "point to restore to (default: the newest restorable one); the same as --to immediate:BACKUP_ID.")
    String backup;

    @Option(names = "--name", paramLabel = "NAME", description = "Name of the new instance (default: chosen by the restore service).")
    String newName;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60m",
            description = "How long the restore may take (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--json", description = "Print the completed restore as JSON.")
    boolean json;

    @Option(names = "--follow", paramLabel = "ID", description = "Follow a restore already under way (started from anywhere) "
            + "to its end, instead of starting one (ids: ./tideline restores).")
    String follow;

    @Option(names = "--cancel", paramLabel = "ID", description = "Cancel a restore under way: the restore service stops it "
            + "and removes what it made (new instance, bucket, secrets).")
    String cancel;

    /** The restore service answers (accepted or rejected) long before this. */
    static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(2);

    @Override
    public Integer call() {
        if (follow != null || cancel != null) {
            return new RestoreFollowing(spec, deployment, json, timeout).run(follow, cancel, instanceName, to, newName);
        }
        if (instanceName == null) {
            throw CliException.usage("Missing required parameter: 'INSTANCE'");
        }
        if (to == null) {
            throw CliException.usage("Missing required option: '--to=TARGET'");
        }
        RestoreTarget target;
        try {
            target = RestoreTarget.parse(backup == null ? to : withBackup(to, backup), exclusive);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--to: " + e.getMessage());
        }
        if (newName != null) {
            try {
                InstanceId.of(newName);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--name: '" + newName + "' cannot name an instance: use 3-40 lower-case letters, "
                        + "digits and single dashes");
            }
        }
        Duration wait = BackupNowCommand.parseTimeout(timeout);
        TidelineCli cli = TidelineCli.of(spec);
        Deployment deploymentTarget = deployment.resolve();
        PrintWriter out = spec.commandLine().getOut();
        InterruptNotice[] notice = new InterruptNotice[1];
        try (KafkaAccess kafka = KafkaAccess.of(deploymentTarget);
             Progress progress = new Progress(spec.commandLine().getErr(), cli.interactive())) {
            RegisteredInstance source = kafka.instances().require(instanceName);
            if (newName != null && kafka.instances().find(newName).isPresent()) {
                throw CliException.failure("an instance named '" + newName + "' already exists: a restore always makes a new one");
            }
            // through the API as the signed-in person: the server writes who asked (issue 14.2)
            ApiRestores api = new ApiRestores(ApiClient.signedIn(deploymentTarget, cli.clock()));
            RestoreClient.Completed done = new RestoreClient(kafka, cli.clock()).restore(source, target,
                    Optional.ofNullable(newName), api, ANSWER_TIMEOUT, wait,
                    new RestoreClient.Listener() {
                        @Override
                        public void requested(String restoreId) {
                            // From here the restore is the service's: Ctrl-C says so instead of leaving silently.
                            notice[0] = InterruptNotice.register(restoreId, spec.commandLine().getErr(), progress::close);
                            // Nothing printed before the service answers: a rejection stays one line.
                            if (cli.interactive()) {
                                progress.update("waiting for the restore service", 0, 0);
                            }
                        }

                        @Override
                        public void accepted(RestoreAccepted a) {
                            progress.line(RestoreCommand.accepted(a, source.name()) + (exclusive ? " (exclusive)" : ""));
                        }

                        @Override
                        public void progress(RestoreProgress p) {
                            show(progress, p);
                        }
                    });
            progress.close();
            print(out, deploymentTarget, source.name(), done);
        } finally {
            if (notice[0] != null) {
                notice[0].close();
            }
        }
        return ExitCodes.OK;
    }

    /** {@code --to immediate --backup ID} is {@code immediate:ID}; {@code --backup} means nothing with another target. */
    private static String withBackup(String to, String backup) {
        if (!RestoreTarget.IMMEDIATE.equalsIgnoreCase(to.strip())) {
            throw new IllegalArgumentException("--backup goes with --to immediate (a backup's consistency point), not with '" + to + "'");
        }
        return RestoreTarget.IMMEDIATE + ":" + backup.strip();
    }

    /** Short lines (a terminal of 80 columns takes each whole). */
    static String accepted(RestoreAccepted a, String sourceName) {
        return "Restore " + a.getRestoreId() + " of " + sourceName + " accepted:\n"
                + "  new instance:  " + a.getNewInstanceId() + "\n"
                + "  from backup:   " + a.getBackupId() + "\n"
                + "  target:        " + a.getTarget();
    }

    /** A restore's progress on the bar: the phase in words; WAL segments and the service's message as detail. */
    static void show(Progress progress, RestoreProgress p) {
        // the time replay reached first: what a line too narrow for the rest must still say
        String detail = java.util.stream.Stream.of(RestoreLog.replayInWords(p).orElse(""),
                        p.getWalSegmentsReplayed() > 0 ? p.getWalSegmentsReplayed() + " WAL segments" : "",
                        p.getMessage() == null ? "" : p.getMessage())
                .filter(t -> !t.isEmpty()).collect(java.util.stream.Collectors.joining(", "));
        progress.update(RestoreLog.phaseInWords(p.getPhase().name()), detail, p.getBytesDone(),
                p.getBytesTotal() == null ? 0 : p.getBytesTotal());
    }

    void print(PrintWriter out, Deployment target, String sourceName, RestoreClient.Completed done) {
        RestoreCompleted c = done.event();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("restoreId", c.getRestoreId());
            m.put("sourceInstance", c.getInstanceId());
            m.put("newInstance", c.getNewInstanceId());
            m.put("backupId", done.accepted() == null ? null : done.accepted().getBackupId());
            m.put("target", done.accepted() == null ? to : done.accepted().getTarget());
            m.put("exclusive", exclusive);
            m.put("recoveredTo", c.getRecoveredTo().toString());
            m.put("walReplayedThroughSegment", c.getWalReplayedThroughSegment());
            m.put("host", c.getHost());
            m.put("port", c.getPort());
            m.put("database", c.getDatabase());
            m.put("user", c.getUser());
            m.put("secretRef", c.getSecretRef());
            m.put("requestedAt", done.requestedAt().toString());
            m.put("completedAt", c.getOccurredAt().toString());
            Json.print(out, m);
            return;
        }
        out.println("Restored " + sourceName + " into the new instance " + c.getNewInstanceId() + " on "
                + c.getHost() + ":" + c.getPort() + " (" + DurationText.format(Duration.between(done.requestedAt(), c.getOccurredAt())) + ").");
        out.println("  recovered to:          " + c.getRecoveredTo());
        out.println("  WAL replayed through:  " + (c.getWalReplayedThroughSegment() == null ? "(none needed)" : c.getWalReplayedThroughSegment()));
        out.println("  connect:               " + ConnectionHint.psql(target.home(), InstanceId.of(c.getNewInstanceId()), c.getHost(), c.getPort(), c.getUser(),
                c.getDatabase(), SecretRef.of(c.getSecretRef())));
        out.flush();
    }
}
