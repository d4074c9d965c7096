package io.tideline.cli;

import io.tideline.cli.output.Json;
import io.tideline.cli.output.Table;
import io.tideline.core.access.Grant;
import io.tideline.core.access.LocalUser;
import io.tideline.core.access.LocalUsers;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List the people and their roles (never a password or hash).")
final class UserListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        List<LocalUser> users = new LocalUsers(new DirectorySecretStore(deployment.home().secretsDir())).all();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.print(out, users.stream().map(u -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", u.name());
                m.put("grants", u.grants().stream().map(g -> Map.of("role", g.role().word(), "instances", g.instances())).toList());
                m.put("createdAt", u.createdAt().toString());
                return m;
            }).toList());
            return ExitCodes.OK;
        }
        if (users.isEmpty()) {
            out.println("No user. ./tideline up makes the first admin; add people with ./tideline user add NAME --role ROLE");
            return ExitCodes.OK;
        }
        Table table = new Table("NAME", "ROLES", "CREATED (UTC)");
        for (LocalUser u : users) {
            table.row(u.name(), u.grants().stream().map(Grant::toString).collect(Collectors.joining("; ")), u.createdAt());
        }
        table.print(out);
        return ExitCodes.OK;
    }
}
