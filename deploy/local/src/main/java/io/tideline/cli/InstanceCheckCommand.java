package io.tideline.cli;

import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.output.Json;
import io.tideline.core.adoption.CheckReport;
import io.tideline.core.adoption.ServerAdoption;
import io.tideline.core.adoption.ServerProbe;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check that Tideline can back an instance's server up, as 'instance register' does before it registers one: "
                + "reachable, the password accepted, a replication role that pg_hba.conf lets stream, wal_level replica or above, "
                + "free WAL senders and replication slots, PostgreSQL 15, the roles' attributes and grants.",
                "Prints one line per problem with its fix, then warnings (a server Tideline reaches without TLS), then data "
                        + "checksums and TLS. With a CA kept for the server (register --ca-file), a certificate that does not lead to it "
                        + "or does not name the host is a problem. Exit 0 when nothing is wrong, 4 otherwise."})
final class InstanceCheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(paramLabel = "NAME", description = "The instance's name or id.")
    String name;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        Deployment target = deployment.resolve();
        RegisteredInstance instance;
        try (KafkaAccess kafka = KafkaAccess.of(target)) {
            instance = kafka.instances().require(name);
        }
        DirectorySecretStore secrets = new DirectorySecretStore(target.home().secretsDir());
        if (secrets.find(instance.superuserSecret()).isEmpty() || secrets.find(instance.replicationSecret()).isEmpty()) {
            throw CliException.failure("the passwords of " + instance.name() + " are not in the secret store of " + target.home());
        }
        CheckReport report = new ServerProbe(target.answerTimeout()).check(ServerAdoption.serverOf(instance, secrets));
        PrintWriter out = spec.commandLine().getOut();
        print(out, report, json);
        if (!json) {
            out.println(report.passed() ? instance.name() + ": nothing wrong." : instance.name() + ": "
                    + report.problems().size() + " problem(s).");
        }
        out.flush();
        return report.passed() ? ExitCodes.OK : ExitCodes.REFUSED;
    }

    /** The report as text (one line per problem with its fix, then the notes) or JSON. */
    static void print(PrintWriter out, CheckReport report, boolean json) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("server", report.server());
            m.put("passed", report.passed());
            m.put("problems", report.problems().stream().map(p -> Map.of("code", p.code(), "what", p.what(), "fix", p.fix())).toList());
            m.put("warnings", report.warnings());
            m.put("notes", report.notes());
            Json.print(out, m);
            return;
        }
        out.println("Check of " + report.server() + ":");
        report.lines().forEach(l -> out.println("  " + l));
    }
}
