package io.tideline.cli;

import io.tideline.cli.backup.OnDemandBackup;
import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.instance.LocalOnboarding;
import io.tideline.cli.output.Json;
import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.registry.DrillPolicy;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.StorageErrors;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Provision a local PostgreSQL 15 instance with its own bucket and bucket-scoped credentials, "
                + "and register it: from then on it is backed up daily and its WAL is archived continuously.",
                "The name is also the instance id and names the bucket (tideline-NAME)."})
final class InstanceCreateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(paramLabel = "NAME", description = "3-40 lower-case letters, digits and single dashes.")
    String name;

    @Option(names = "--backup-window", paramLabel = "HH:MM",
            description = "UTC time of day the daily backup window opens (default: spread over the day by the scheduler).")
    String backupWindow;

    @Option(names = "--retention-days", paramLabel = "DAYS", description = "Days of restorable history, 1 to "
            + InstanceOnboarding.Options.MAX_RETENTION_DAYS + " (default: 7).")
    Integer retentionDays;

    @Option(names = "--drill-every", paramLabel = "PERIOD",
            description = "How often a restore drill proves the backups restorable: an ISO-8601 period (P7D, PT12H) or 'off' (default: P7D).")
    String drillEvery;

    @Option(names = "--rto-budget", paramLabel = "DURATION",
            description = "Keep a restore of the newest moment within this replay time (15m, 1h, 90s): the scheduler takes an"
                    + " extra base backup when the WAL since the newest one would replay for longer (default: no budget).")
    String rtoBudget;

    @Option(names = "--drill-probe", paramLabel = "SQL",
            description = "A read-only query each drill runs on its restored copy (with --drill-expect).")
    String drillProbe;

    @Option(names = "--drill-expect", paramLabel = "TEXT", description = "What --drill-probe's first column of its first row must read.")
    String drillExpect;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--no-first-backup", negatable = false,
            description = "Do not ask for a first backup now (the instance is then restorable only after its first daily backup).")
    boolean noFirstBackup;

    private DrillPolicy drillPolicy() {
        if ((drillProbe == null) != (drillExpect == null)) {
            throw new IllegalArgumentException("--drill-probe and --drill-expect go together");
        }
        DrillPolicy policy = drillEvery == null ? DrillPolicy.DEFAULT
                : new DrillPolicy(DrillPolicy.parseEvery(drillEvery), Optional.empty());
        return drillProbe == null ? policy : policy.withProbe(drillProbe, drillExpect);
    }

    @Override
    public Integer call() {
        InstanceId id = InstanceNames.id(name);
        InstanceOnboarding.Options options;
        try {
            options = new InstanceOnboarding.Options(Optional.ofNullable(backupWindow).map(InstanceNames::minuteOfDay),
                    Optional.ofNullable(retentionDays), drillPolicy())
                    .withRtoBudget(RtoBudgetOption.parse(rtoBudget));
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        TidelineCli cli = TidelineCli.of(spec);
        Deployment target = deployment.resolve();
        RegisteredInstance created;
        CommandId.Daily firstBackup = null;
        try (KafkaAccess kafka = KafkaAccess.of(target);
             LocalOnboarding local = LocalOnboarding.of(target, kafka.publisher(), cli.clock())) {
            if (kafka.instances().find(name).isPresent()) {
                throw CliException.failure("an instance named '" + name + "' already exists");
            }
            if (local.provisioner().find(id).isPresent()) {
                throw CliException.failure("a PostgreSQL cluster for '" + name + "' already exists under "
                        + target.home().instancesDir() + " (left by an earlier attempt?)");
            }
            spec.commandLine().getErr().println("Creating instance " + name + " (initdb, bucket, credentials, registration) ...");
            spec.commandLine().getErr().flush();
            try {
                created = local.onboarding().create(id, name, options);
            } catch (EventPublisher.PublishException e) {
                throw NoAnswer.isNoAnswer(e) ? kafka.noAnswer(e) : e;
            } catch (RuntimeException e) {
                throw StorageErrors.causeOf(e).isPresent() ? target.storeFailure(e) : e;
            }
            if (!noFirstBackup) {
                // The first backup is today's daily one (same id as the scheduler's), so day one has one backup.
                OnDemandBackup backups = new OnDemandBackup(kafka, cli.clock());
                firstBackup = backups.todaysDailyId(created);
                backups.request(created, firstBackup, "cli:" + System.getProperty("user.name") + " (first backup)");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.print(out, InstanceListCommand.toJson(created));
        } else {
            out.println("Instance " + created.name() + " is registered and runs on " + created.host() + ":" + created.port() + ".");
            out.println("  bucket:   " + created.bucket() + " (credentials scoped to it alone)");
            out.println("  connect:  " + ConnectionHint.psql(target.home(), created.id(), created.host(), created.port(),
                    created.ownerUser(), created.database(), created.ownerSecret()));
            if (firstBackup != null) {
                out.println("  backups:  first backup requested (" + firstBackup + "); see ./tideline backups " + created.name());
            }
        }
        return ExitCodes.OK;
    }
}
