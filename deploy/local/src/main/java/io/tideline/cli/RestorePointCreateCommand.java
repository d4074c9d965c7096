package io.tideline.cli;

import io.tideline.core.postgres.PostgresTls;
import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.output.Json;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestorePoint;
import io.tideline.core.restore.RestorePoints;
import io.tideline.core.restore.RestoreTarget;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StorageException;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tideline restore-point create INSTANCE NAME}: calls {@code pg_create_restore_point(NAME)} on the
 * instance (as its Tideline superuser) and records the point in the instance's bucket, where the restore
 * service looks names up. Restorable once the WAL holding it is archived (the archiver streams it within seconds).
 */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Create a named restore point on an instance (pg_create_restore_point) and record it, so that "
                + "'./tideline restore INSTANCE --to name:NAME' restores to exactly that position.",
                "Names are unique per instance: letters, digits, '.', '_' and '-', at most 63 characters."})
final class RestorePointCreateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(index = "0", paramLabel = "INSTANCE", description = "The instance's name or id.")
    String instanceName;

    @Parameters(index = "1", paramLabel = "NAME", description = "The restore point's name, e.g. before-migration.")
    String name;

    @Option(names = "--json", description = "Print the restore point as JSON.")
    boolean json;

    @Override
    public Integer call() {
        try {
            RestoreTarget.requireRestorePointName(name);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("NAME: " + e.getMessage());
        }
        Deployment target = deployment.resolve();
        RegisteredInstance instance;
        try (KafkaAccess kafka = KafkaAccess.of(target)) {
            instance = kafka.instances().require(instanceName);
        }
        DirectorySecretStore secrets = new DirectorySecretStore(target.home().secretsDir());
        if (target.s3().isEmpty() || secrets.find(instance.s3SecretKey()).isEmpty() || secrets.find(instance.superuserSecret()).isEmpty()) {
            throw CliException.failure("this machine cannot reach " + instance.name() + "'s server and bucket (its keys are not in "
                    + target.home().secretsDir() + "): run restore-point create where the instance was created");
        }
        RestorePoint point;
        try (ObjectStores stores = new ObjectStores(target.storeSettings(), secrets, TidelineCli.of(spec).clock());
             Connection db = connect(instance, secrets.get(instance.superuserSecret()),
                     PostgresTls.forInstance(secrets, instance.id()), target)) {
            point = RestorePoints.create(db, stores.forInstance(instance.id()), BucketLayout.forSegmentSize(instance.walSegmentSize()),
                    instance.id(), name, "cli:" + System.getProperty("user.name"));
        } catch (IllegalArgumentException e) {
            throw CliException.refused(e.getMessage());
        } catch (SQLException e) {
            throw CliException.failure("could not create restore point '" + name + "' on " + instance.name() + ": " + e.getMessage(), e);
        } catch (StorageException e) {
            if (NoAnswer.isNoAnswer(e)) {
                throw target.storeFailure(e);
            }
            throw CliException.failure("restore point '" + name + "' was made on the server but could not be recorded in bucket "
                    + instance.bucket() + " (" + e.getMessage() + "): it cannot be restored to by name; create another", e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instance", instance.id().value());
            m.put("name", point.name());
            m.put("lsn", point.lsn().toString());
            m.put("timeline", point.timeline());
            m.put("createdAt", point.createdAt().toString());
            Json.print(out, m);
            return ExitCodes.OK;
        }
        out.println("Restore point " + RestorePoints.describe(point) + " created on " + instance.name() + ".");
        out.println("  restorable once the WAL through " + point.lsn() + " is archived (see ./tideline backups " + instance.name()
                + "); restore with: ./tideline restore " + instance.name() + " --to name:" + point.name());
        out.flush();
        return ExitCodes.OK;
    }

    private static Connection connect(RegisteredInstance instance, String password, PostgresTls tls, Deployment target)
            throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", instance.superuser());
        p.setProperty("password", password);
        p.setProperty("connectTimeout", Long.toString(Math.max(1, target.answerTimeout().toSeconds())));
        p.setProperty("socketTimeout", Long.toString(Math.max(1, target.answerTimeout().toSeconds())));
        tls.applyTo(p);
        return DriverManager.getConnection("jdbc:postgresql://" + instance.host() + ":" + instance.port() + "/" + instance.database(), p);
    }
}
