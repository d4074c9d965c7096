package io.tideline.cli;

import io.tideline.core.access.LocalUsers;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.runtime.RuntimeHome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Remove a person: their sessions and tokens stop working at once (each request reads the users).")
final class UserRemoveCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        RuntimeHome home = deployment.home();
        LocalUsers users = new LocalUsers(new DirectorySecretStore(home.secretsDir()));
        if (!users.remove(name)) {
            throw CliException.refused("no user named " + name + " (./tideline user list)");
        }
        try {
            Files.deleteIfExists(UserAddCommand.passwordFile(home, name));
        } catch (IOException e) {
            spec.commandLine().getErr().println("note: " + UserAddCommand.passwordFile(home, name) + " could not be deleted: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Removed " + name + ".");
        out.flush();
        return ExitCodes.OK;
    }
}
