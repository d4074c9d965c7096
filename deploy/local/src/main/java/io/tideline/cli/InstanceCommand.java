package io.tideline.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "instance", mixinStandardHelpOptions = true,
        description = "Create, register, check, list, remove and rotate the keys of managed PostgreSQL instances.",
        subcommands = {InstanceCreateCommand.class, InstanceRegisterCommand.class, InstanceCheckCommand.class,
                InstanceListCommand.class, InstanceRemoveCommand.class, InstanceRotateKeyCommand.class})
final class InstanceCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw CliException.usage("say what to do with instances: " + String.join(", ", spec.subcommands().keySet()));
    }
}
