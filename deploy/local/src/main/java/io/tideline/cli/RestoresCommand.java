package io.tideline.cli;

import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.output.Json;
import io.tideline.cli.output.Table;
import io.tideline.cli.restore.RestoreClient;
import io.tideline.cli.restore.RestoreLog;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "restores", mixinStandardHelpOptions = true,
        description = {"List restores (all, or those of one source instance), oldest first, with their state; "
                + "follow or cancel one with ./tideline restore --follow ID / --cancel ID (the first 8 characters of "
                + "the id are enough)."})
final class RestoresCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(paramLabel = "INSTANCE", arity = "0..1", description = "Only the restores of this source instance (name or id).")
    String instanceName;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        TidelineCli cli = TidelineCli.of(spec);
        Deployment target = deployment.resolve();
        List<RestoreLog.Restore> restores;
        Map<String, String> names = new LinkedHashMap<>();
        try (KafkaAccess kafka = KafkaAccess.of(target)) {
            Optional<String> only = Optional.ofNullable(instanceName).map(n -> kafka.instances().require(n).id().value());
            kafka.instances().all().forEach(i -> names.put(i.id().value(), i.name()));
            restores = new RestoreClient(kafka, cli.clock()).log().all().stream()
                    .filter(r -> only.isEmpty() || only.get().equals(r.source())).toList();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.print(out, restores.stream().map(RestoresCommand::toJson).toList());
            return ExitCodes.OK;
        }
        if (restores.isEmpty()) {
            out.println("No restores" + (instanceName == null ? "" : " of " + instanceName) + " yet.");
            out.flush();
            return ExitCodes.OK;
        }
        out.println("Restores, oldest first; times in UTC.");
        Table table = new Table("RESTORE", "SOURCE", "TARGET", "NEW INSTANCE", "STATE", "REQUESTED", "ENDED");
        for (RestoreLog.Restore r : restores) {
            table.row(r.shortId(), names.getOrDefault(r.source(), r.source()), r.target(), r.newInstance(),
                    r.state().ended() || r.phase() == null ? r.state().word() : r.phase(), r.requestedAt(), r.endedAt());
        }
        table.print(out);
        for (RestoreLog.Restore r : restores) {
            if (r.reason() != null && r.state() != RestoreLog.State.COMPLETED) {
                out.println("  " + r.shortId() + " " + r.state().word() + ": " + r.reason());
            }
        }
        restores.stream().filter(r -> !r.state().ended()).findFirst().ifPresent(r -> out.println(
                "Under way: follow with ./tideline restore --follow " + r.shortId() + ", cancel with ./tideline restore --cancel "
                        + r.shortId()));
        out.flush();
        return ExitCodes.OK;
    }

    static Map<String, Object> toJson(RestoreLog.Restore r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("restoreId", r.restoreId());
        m.put("sourceInstance", r.source());
        m.put("target", r.target());
        m.put("newInstance", r.newInstance());
        m.put("state", r.state().name());
        m.put("phase", r.phase());
        m.put("requestedBy", r.requestedBy());
        m.put("requestedAt", r.requestedAt() == null ? null : r.requestedAt().toString());
        m.put("endedAt", r.endedAt() == null ? null : r.endedAt().toString());
        m.put("reason", r.reason());
        return m;
    }
}
