package io.tideline.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "restore-point", mixinStandardHelpOptions = true,
        description = "Named restore points: positions in an instance's WAL to restore to by name (restore --to name:NAME).",
        subcommands = {RestorePointCreateCommand.class})
final class RestorePointCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw CliException.usage("say what to do with restore points: " + String.join(", ", spec.subcommands().keySet()));
    }
}
