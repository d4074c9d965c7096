package io.tideline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tideline.cli.instance.PasswordFile;
import io.tideline.cli.output.Json;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Sign in to the services' API: the token is written to the home's cli-token.json (0600) and sent by "
                + "the commands that go through the API (restore, restore --cancel, backups).",
                "The password comes from --password-file, else it is asked for on the terminal. The embedded runtime's first "
                        + "admin: --user admin --password-file <home>/admin-password."})
final class LoginCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Option(names = "--user", paramLabel = "NAME", description = "Who signs in (default: asked on the terminal, else admin).")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE", description = "A file whose first line is the password (never "
            + "on the command line, where every process listing shows it).")
    Path passwordFile;

    @Override
    public Integer call() {
        Console console = System.console();
        String name = user;
        if (name == null) {
            name = console == null || passwordFile != null ? FirstAdminName.NAME : prompt(console.readLine("User: "));
        }
        String password;
        if (passwordFile != null) {
            password = PasswordFile.read(passwordFile, "--password-file");
        } else if (console != null) {
            char[] typed = console.readPassword("Password for %s: ", name);
            password = typed == null ? "" : new String(typed);
        } else {
            throw CliException.usage("no terminal to ask the password on: give --password-file FILE");
        }
        Deployment target = deployment.resolveApi(); // another deployment's API needs no Kafka to sign in
        ApiClient api = ApiClient.anonymous(target);
        HttpResponse<String> answer = api.post("/api/tokens", Map.of("username", name, "password", password));
        if (answer.statusCode() != 201) {
            throw CliException.refused("sign-in of " + name + " refused (" + ApiClient.describe(answer) + ")");
        }
        CliToken token;
        try {
            JsonNode body = Json.MAPPER.readTree(answer.body());
            token = new CliToken(api.api(), body.get("username").asText(), body.get("token").asText(),
                    Instant.parse(body.get("expiresAt").asText()));
        } catch (IOException | RuntimeException e) {
            throw CliException.failure("the API's answer to the sign-in cannot be read: " + e.getMessage(), e);
        }
        token.write(target.home());
        PrintWriter out = spec.commandLine().getOut();
        out.println("Signed in as " + token.user() + " to " + token.api() + " until " + token.expiresAt() + " (token: "
                + target.home().tokenFile() + ", 0600).");
        out.flush();
        return ExitCodes.OK;
    }

    private static String prompt(String typed) {
        if (typed == null || typed.isBlank()) {
            throw CliException.usage("no user name given");
        }
        return typed.strip();
    }

    /** The default user when nobody is asked: the embedded runtime's first admin. */
    private static final class FirstAdminName {
        static final String NAME = io.tideline.runtime.FirstAdmin.NAME;
    }
}
