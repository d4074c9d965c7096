package io.tideline.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "Sign out: delete the home's sign-in token (cli-token.json).")
final class LogoutCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Override
    public Integer call() {
        var home = deployment.home();
        PrintWriter out = spec.commandLine().getOut();
        out.println(CliToken.delete(home) ? "Signed out (deleted " + home.tokenFile() + ")." : "Not signed in.");
        out.flush();
        return ExitCodes.OK;
    }
}
