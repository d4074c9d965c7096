package io.tideline.cli;

import io.tideline.cli.backup.OnDemandBackup;
import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.output.Json;
import io.tideline.cli.output.Progress;
import io.tideline.core.ids.CommandId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.runtime.DurationText;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupProgress;
import io.tideline.cli.backup.BackupPhases;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.WalSegmentStored;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Take a base backup of an instance now, and wait until it is restorable "
                + "(its data and the WAL up to its end are stored).",
                "Exit status 4 if the archiver reports the backup failed."})
final class BackupNowCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(paramLabel = "INSTANCE", description = "The instance's name or id.")
    String instanceName;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m",
            description = "How long to wait for the backup to complete (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--json", description = "Print the completed backup as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Duration wait = parseTimeout(timeout);
        TidelineCli cli = TidelineCli.of(spec);
        Deployment target = deployment.resolve();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (KafkaAccess kafka = KafkaAccess.of(target);
             Progress progress = new Progress(err, cli.interactive())) {
            RegisteredInstance instance = kafka.instances().require(instanceName);
            OnDemandBackup.Completed done = new OnDemandBackup(kafka, cli.clock()).run(instance,
                    CommandId.newOnDemand(), "cli:" + System.getProperty("user.name"), wait,
                    new OnDemandBackup.Listener() {
                        private BackupStarted started;

                        @Override
                        public void requested(String commandId) {
                            progress.line("Backup of " + instance.name() + " requested (command " + commandId + ").");
                            progress.update("waiting for the archiver", 0, 0);
                        }

                        @Override
                        public void started(BackupStarted s) {
                            started = s;
                            progress.line("Backup " + s.getBackupId() + " started at " + s.getStartedAt()
                                    + " (timeline " + s.getTimeline() + ", start LSN " + s.getStartLsn() + ").");
                            progress.update("copying the data directory", 0, 0);
                        }

                        @Override
                        public void progress(BackupProgress p) {
                            progress.update(BackupPhases.describe(p), p.getBytesDone(), p.getBytesTotal() == null ? 0 : p.getBytesTotal());
                        }

                        @Override
                        public void walStored(WalSegmentStored w) {
                            // BackupProgress says what the backup waits for; WAL uploads need no line of their own.
                        }
                    });
            progress.close();
            print(out, instance, done);
        }
        return ExitCodes.OK;
    }

    private void print(PrintWriter out, RegisteredInstance instance, OnDemandBackup.Completed done) {
        BackupCompleted c = done.event();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instance", instance.id().value());
            m.put("backupId", c.getBackupId());
            m.put("commandId", c.getCommandId());
            m.put("timeline", c.getTimeline());
            m.put("startLsn", c.getStartLsn());
            m.put("endLsn", c.getEndLsn());
            m.put("startedAt", c.getStartedAt().toString());
            m.put("finishedAt", c.getFinishedAt().toString());
            m.put("bytesRaw", c.getBytesRaw());
            m.put("bytesStored", c.getBytesStored());
            m.put("manifestKey", c.getManifestKey());
            Json.print(out, m);
            return;
        }
        out.println("Backup " + c.getBackupId() + " of " + instance.name() + " is complete and restorable.");
        out.println("  taken:     " + c.getStartedAt() + " .. " + c.getFinishedAt() + " ("
                + DurationText.format(Duration.between(c.getStartedAt(), c.getFinishedAt())) + ")");
        out.println("  LSN:       " + c.getStartLsn() + " .. " + c.getEndLsn() + " (timeline " + c.getTimeline() + ")");
        out.println("  size:      " + Progress.bytes(c.getBytesRaw()) + " read, " + Progress.bytes(c.getBytesStored()) + " stored");
        out.println("  manifest:  " + instance.bucket() + "/" + c.getManifestKey());
        out.flush();
    }

    static Duration parseTimeout(String text) {
        try {
            Duration d = DurationText.parse(text);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--timeout: " + e.getMessage());
        }
    }
}
