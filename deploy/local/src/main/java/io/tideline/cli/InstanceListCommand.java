package io.tideline.cli;

import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.output.Json;
import io.tideline.cli.output.Table;
import io.tideline.core.registry.RegisteredInstance;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the registered instances (from tideline.instances), oldest first.")
final class InstanceListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        Deployment target = deployment.resolve();
        List<RegisteredInstance> instances;
        try (KafkaAccess kafka = KafkaAccess.of(target)) {
            instances = kafka.instances().all();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.print(out, instances.stream().map(InstanceListCommand::toJson).toList());
            return ExitCodes.OK;
        }
        if (instances.isEmpty()) {
            out.println("No instance is registered. Create one with: ./tideline instance create NAME");
            return ExitCodes.OK;
        }
        Table table = new Table("NAME", "ID", "ENDPOINT", "BUCKET", "REGISTERED (UTC)", "RESTORED FROM");
        for (RegisteredInstance i : instances) {
            table.row(i.name(), i.id(), i.host() + ":" + i.port() + (i.adopted() ? " (adopted)" : ""), i.bucket(), i.registeredAt(),
                    i.restoredFrom().map(o -> o.sourceInstanceId().value()).orElse(null));
        }
        table.print(out);
        return ExitCodes.OK;
    }

    static Map<String, Object> toJson(RegisteredInstance i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id().value());
        m.put("name", i.name());
        m.put("host", i.host());
        m.put("port", i.port());
        m.put("database", i.database());
        // The tenant's role, never Tideline's superuser (docs/modules/platform-local.md, "Roles"); an adopted
        // server's roles are its owner's, none of them Tideline's to hand out.
        m.put("user", i.adopted() ? null : i.ownerUser());
        m.put("secretRef", i.adopted() ? null : i.ownerSecret().value());
        m.put("adopted", i.adopted());
        m.put("bucket", i.bucket());
        m.put("postgresVersion", i.postgresVersion());
        m.put("registeredAt", i.registeredAt().toString());
        m.put("restoredFrom", i.restoredFrom().map(o -> Map.of("sourceInstanceId", o.sourceInstanceId().value(),
                "restoreId", o.restoreId())).orElse(null));
        return m;
    }
}
