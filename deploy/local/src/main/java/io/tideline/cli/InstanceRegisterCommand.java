package io.tideline.cli;

import io.tideline.core.postgres.PostgresTls;
import io.tideline.cli.backup.OnDemandBackup;
import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.instance.LocalOnboarding;
import io.tideline.cli.instance.PasswordFile;
import io.tideline.cli.output.Json;
import io.tideline.core.adoption.AdoptionRefused;
import io.tideline.core.adoption.CheckReport;
import io.tideline.core.adoption.ExistingServer;
import io.tideline.core.adoption.ServerAdoption;
import io.tideline.core.adoption.ServerProbe;
import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.registry.DrillPolicy;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.StorageErrors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "register", mixinStandardHelpOptions = true,
        description = {"Adopt an existing PostgreSQL 15 server that Tideline did not make: it is checked first (see "
                + "'instance check'), then it gets its own bucket with credentials scoped to it, its passwords go into the "
                + "secret store, and it is registered: from then on its WAL is archived and it is backed up like any instance.",
                "Nothing is provisioned or changed on the server, and Tideline never starts, stops or deletes it. A server "
                        + "that fails the check is refused with every reason and its fix (exit 4); nothing is made.",
                "Passwords are read from files, never from the command line. What the server's owner must set up: "
                        + "docs/existing-servers.md."})
final class InstanceRegisterCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BaseDeploymentOptions deployment; // its --ca-file is the server's CA; the deployment's comes from $TIDELINE_CA_FILE

    @Parameters(paramLabel = "NAME", description = "3-40 lower-case letters, digits and single dashes; also the instance id.")
    String name;

    @Option(names = "--host", required = true, paramLabel = "HOST", description = "The server's host name or address.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "The server's port (default: 5432).")
    int port = 5432;

    @Option(names = "--database", paramLabel = "DB", description = "The database Tideline connects to (default: postgres).")
    String database = "postgres";

    @Option(names = "--user", required = true, paramLabel = "ROLE",
            description = "A superuser role Tideline administers with (restore points; the restored copies run with it).")
    String user;

    @Option(names = "--password-file", required = true, paramLabel = "FILE", description = "A file whose first line is --user's password.")
    Path passwordFile;

    @Option(names = "--replication-user", paramLabel = "ROLE",
            description = "A LOGIN REPLICATION role for the WAL stream and base backups (default: --user).")
    String replicationUser;

    @Option(names = "--replication-password-file", paramLabel = "FILE",
            description = "A file whose first line is --replication-user's password (with --replication-user).")
    Path replicationPasswordFile;

    @Option(names = "--ca-file", paramLabel = "FILE",
            description = "The PEM certificate of the CA that signed the server's certificate: Tideline then connects with "
                    + "sslmode=verify-full (encrypted, the certificate must lead to this CA and name --host); kept in the secret "
                    + "store beside the passwords. Without it Tideline's connections are not encrypted, and the check warns.")
    Path caFile;

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

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--no-first-backup", negatable = false, description = "Do not ask for a first backup now.")
    boolean noFirstBackup;

    @Override
    public Integer call() {
        InstanceId id = InstanceNames.id(name);
        ExistingServer server = server();
        InstanceOnboarding.Options options = options();
        TidelineCli cli = TidelineCli.of(spec);
        Deployment target = deployment.resolve();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // The check first, before Kafka or the object store is asked anything: a server that cannot be adopted is
        // refused with its reasons even where the deployment is not reachable (adopt checks again before it makes anything).
        err.println("Checking " + server.address() + " ...");
        err.flush();
        CheckReport report = new ServerProbe(target.answerTimeout()).check(server);
        if (!report.passed()) {
            throw refused(out, report);
        }
        RegisteredInstance adopted;
        CommandId.Daily firstBackup = null;
        try (KafkaAccess kafka = KafkaAccess.of(target);
             LocalOnboarding local = LocalOnboarding.of(target, kafka.publisher(), cli.clock())) {
            if (kafka.instances().find(name).isPresent()) {
                throw CliException.failure("an instance named '" + name + "' already exists");
            }
            if (local.secrets().find(BucketGrant.of(id).accessKeyRef()).isPresent()) {
                throw CliException.refused("the bucket " + BucketGrant.of(id).bucket() + " of an earlier instance " + name
                        + " is kept: purge it (./tideline instance remove " + name + " --purge) or choose another name");
            }
            ServerAdoption adoption = new ServerAdoption(local.storage(), local.secrets(), kafka.publisher(), cli.clock(),
                    new ServerProbe(target.answerTimeout()));
            err.println("Registering " + server.address() + " as " + name + " (its bucket, its passwords in the secret store; "
                    + "nothing is provisioned) ...");
            err.flush();
            try {
                adopted = adoption.adopt(id, name, server, options);
            } catch (AdoptionRefused e) {
                throw refused(out, e.report());
            } catch (EventPublisher.PublishException e) {
                throw NoAnswer.isNoAnswer(e) ? kafka.noAnswer(e) : e;
            } catch (RuntimeException e) {
                throw StorageErrors.causeOf(e).isPresent() ? target.storeFailure(e) : e;
            }
            if (!noFirstBackup) {
                OnDemandBackup backups = new OnDemandBackup(kafka, cli.clock());
                firstBackup = backups.todaysDailyId(adopted);
                backups.request(adopted, firstBackup, "cli:" + System.getProperty("user.name") + " (first backup)");
            }
        }
        if (json) {
            Json.print(out, InstanceListCommand.toJson(adopted));
        } else {
            out.println("Instance " + adopted.name() + " (adopted) is registered: " + adopted.host() + ":" + adopted.port()
                    + "/" + adopted.database() + ", PostgreSQL " + adopted.postgresVersion() + ".");
            out.println("  bucket:   " + adopted.bucket() + " (credentials scoped to it alone)");
            out.println("  roles:    " + adopted.superuser() + " (administration), " + adopted.replicationUser()
                    + " (WAL stream, base backups); passwords in the secret store");
            out.println("  server:   " + String.join("; ", report.notes()));
            if (firstBackup != null) {
                out.println("  backups:  first backup requested (" + firstBackup + "); see ./tideline backups " + adopted.name());
            }
        }
        return ExitCodes.OK;
    }

    /** Every reason with its fix on stdout, the refusal as the one error line (exit 4). */
    private CliException refused(PrintWriter out, CheckReport report) {
        InstanceCheckCommand.print(out, report, json);
        out.flush();
        return CliException.refused("registration of " + name + " refused: " + report.problems().size() + " problem(s) on "
                + report.server() + " (listed above, each with its fix); nothing was made");
    }

    private ExistingServer server() {
        if ((replicationUser == null) != (replicationPasswordFile == null)) {
            throw CliException.usage("--replication-user and --replication-password-file go together");
        }
        String password = PasswordFile.read(passwordFile, "--password-file");
        PostgresTls tls = tls();
        try {
            if (replicationUser == null) {
                return ExistingServer.withOneRole(host, port, database, user, password).withTls(tls);
            }
            return new ExistingServer(host, port, database, user, password, replicationUser,
                    PasswordFile.read(replicationPasswordFile, "--replication-password-file"), tls);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    /** {@code --ca-file}: verify-full against that CA; none without it. */
    private PostgresTls tls() {
        if (caFile == null) {
            return PostgresTls.none();
        }
        try {
            return PostgresTls.verifyFull(java.nio.file.Files.readString(caFile, java.nio.charset.StandardCharsets.US_ASCII));
        } catch (java.io.IOException e) {
            throw CliException.usage("--ca-file " + caFile + " cannot be read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--ca-file " + caFile + ": " + e.getMessage());
        }
    }

    private InstanceOnboarding.Options options() {
        try {
            DrillPolicy drill = drillEvery == null ? DrillPolicy.DEFAULT : new DrillPolicy(DrillPolicy.parseEvery(drillEvery), Optional.empty());
            return new InstanceOnboarding.Options(Optional.ofNullable(backupWindow).map(InstanceNames::minuteOfDay),
                    Optional.ofNullable(retentionDays), drill)
                    .withRtoBudget(RtoBudgetOption.parse(rtoBudget));
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }
}
