package io.tideline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument handling that needs no runtime: answered before anything is reached. */
class CliArgumentsTest {

    private static final Cli CLI = new Cli(Map.of());

    @TempDir
    Path home;

    @Test
    void aMistypedCommandGetsPicocliSuggestion() {
        Cli.Result result = CLI.run("restor", "shop", "--to", "latest");
        assertEquals(ExitCodes.USAGE, result.exitCode());
        assertTrue(result.err().startsWith("tideline: Unmatched arguments"), result.err());
        assertTrue(result.err().contains("Did you mean: tideline restore"), result.err());
    }

    @Test
    void aMistypedOptionGetsPicocliSuggestion() {
        Cli.Result result = CLI.run("backup", "shop", "--timout", "5m");
        assertEquals(ExitCodes.USAGE, result.exitCode());
        assertTrue(result.err().contains("Possible solutions: --timeout"), result.err());
    }

    @Test
    void aRetentionBeyondTheBoundIsAUsageError() throws Exception {
        Files.createDirectories(home);
        CLI.run(home, "instance", "create", "orders", "--retention-days", "400")
                .assertOneLineError(ExitCodes.USAGE, "retention must be 1 to 35 days (default 7): 400");
        CLI.run(home, "instance", "create", "orders", "--retention-days", "0")
                .assertOneLineError(ExitCodes.USAGE, "retention must be 1 to 35 days");
    }
}
