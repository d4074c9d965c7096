package io.tideline.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "user", mixinStandardHelpOptions = true,
        description = {"Add, list and remove the people of the embedded runtime (local users, kept in the home's secret "
                + "store; docs/security.md). Acting on the home's files is the admin's right: whoever may write the home.",
                "Roles: viewer (history, window), restorer (also start, follow, cancel restores; back up now), admin (all)."},
        subcommands = {UserAddCommand.class, UserListCommand.class, UserRemoveCommand.class})
final class UserCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw CliException.usage("say what to do with users: " + String.join(", ", spec.subcommands().keySet()));
    }
}
