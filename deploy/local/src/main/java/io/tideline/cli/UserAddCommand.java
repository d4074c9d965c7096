package io.tideline.cli;

import io.tideline.cli.instance.PasswordFile;
import io.tideline.core.access.Grant;
import io.tideline.core.access.LocalUser;
import io.tideline.core.access.LocalUsers;
import io.tideline.core.access.PasswordHashing;
import io.tideline.core.access.Role;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.runtime.PrivateFile;
import io.tideline.runtime.RuntimeHome;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "add", mixinStandardHelpOptions = true,
        description = {"Add a person with a role on a group of instances. Without --password-file a password is made and "
                + "written to <home>/users/NAME.password (0600); the command names the file, never the password."})
final class UserAddCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(paramLabel = "NAME", description = "2-40 lower-case letters, digits, dots, dashes and underscores.")
    String name;

    @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, restorer or admin.")
    String role;

    @Option(names = "--instances", paramLabel = "GLOB[,GLOB...]", defaultValue = "*",
            description = "The instance ids the role holds on: globs (* any run, ? one character), comma-separated "
                    + "(default: ${DEFAULT-VALUE}, every instance).")
    String instances;

    @Option(names = "--password-file", paramLabel = "FILE", description = "A file whose first line is the password.")
    Path passwordFile;

    @Override
    public Integer call() {
        Grant grant;
        try {
            LocalUser.checkName(name);
            grant = new Grant(Role.parse(role), instances);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        RuntimeHome home = deployment.home();
        LocalUsers users = new LocalUsers(new DirectorySecretStore(home.secretsDir()));
        if (users.find(name).isPresent()) {
            throw CliException.refused("a user named " + name + " exists (./tideline user remove " + name + " first)");
        }
        PasswordHashing hashing = new PasswordHashing();
        String password;
        Path written = null;
        if (passwordFile != null) {
            password = PasswordFile.read(passwordFile, "--password-file");
        } else {
            password = hashing.newPassword();
            written = passwordFile(home, name);
            PrivateFile.write(written, password + "\n");
        }
        String hash;
        try {
            hash = hashing.hash(password.toCharArray());
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--password-file: " + e.getMessage());
        }
        users.put(new LocalUser(name, hash, List.of(grant), TidelineCli.of(spec).clock().instant()));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Added " + name + ": " + grant + "." + (written == null ? "" : " Password in " + written + " (0600)."));
        out.flush();
        return ExitCodes.OK;
    }

    static Path passwordFile(RuntimeHome home, String name) {
        return home.root().resolve("users").resolve(name + ".password");
    }
}
