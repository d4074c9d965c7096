package io.tideline.cli;

import io.tideline.cli.output.Json;
import io.tideline.cli.output.Table;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show what runs and where: Kafka, the S3 server, the services' health, the managed instances.",
                "Exit status 3 when the runtime is not running, 1 when a part of it does not answer."})
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", description = "The runtime's home directory (default: $TIDELINE_HOME, else ./var).")
    Path home;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        RuntimeHome runtimeHome = RuntimeHome.resolve(Optional.ofNullable(home), TidelineCli.of(spec).environment());
        Optional<RuntimeInfo> info;
        try {
            info = RuntimeInfo.running(runtimeHome);
        } catch (IllegalStateException e) {
            throw CliException.failure(e.getMessage(), e);
        }
        StatusReport report = StatusReport.probe(runtimeHome, info, StatusReport.probeTimeout(TidelineCli.of(spec).environment()));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.print(out, report);
        } else {
            print(out, report);
        }
        if (!report.running()) {
            return ExitCodes.NOT_RUNNING;
        }
        return report.healthy() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    static void print(PrintWriter out, StatusReport report) {
        if (!report.running()) {
            out.println("The runtime in " + report.home() + " is not running (start it with ./tideline up).");
            long serving = report.instances().stream().filter(i -> i.state().equals("running")).count();
            if (serving > 0) {
                out.println(serving + " instance" + (serving == 1 ? " still runs and serves" : "s still run and serve")
                        + " without the services: nothing is archived until ./tideline up, which adopts "
                        + (serving == 1 ? "it" : "them") + " and resumes from the replication slot (./tideline down stops "
                        + (serving == 1 ? "it" : "them") + ").");
            }
        } else {
            out.println("Runtime in " + report.home() + ", pid " + report.pid() + ", up since " + report.startedAt());
            Table table = new Table("COMPONENT", "ENDPOINT", "STATE");
            report.components().forEach(c -> table.row(c.name(), c.endpoint(), c.state()));
            table.print(out);
            out.println("Backups view: " + report.view());
        }
        if (!report.certificates().isEmpty()) {
            out.println();
            Table certificates = new Table("CERTIFICATE", "EXPIRES (UTC)", "STATE");
            report.certificates().forEach(c -> certificates.row(c.name(), c.expires(), c.state()));
            certificates.print(out);
            report.certificates().stream().filter(StatusReport.Certificate::needsAttention).forEach(c -> out.println(
                    "warning: certificate " + c.name() + " " + (c.state().equals("expired") ? "expired at " + c.expires()
                            : "is due for renewal (expires " + c.expires() + "); the runtime renews it hourly while it runs")));
        }
        if (!report.instances().isEmpty()) {
            out.println();
            Table instances = new Table("INSTANCE", "ENDPOINT", "STATE");
            report.instances().forEach(i -> instances.row(i.id(), i.endpoint(), i.state()));
            instances.print(out);
        }
        out.flush();
    }
}
