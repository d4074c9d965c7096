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

    /** Issue 13: a password is never taken from the command line, and a bad password file is said before anything is reached. */
    @Test
    void registerTakesPasswordsFromFilesOnlyAndSaysWhatIsWrongWithThem() throws Exception {
        Files.createDirectories(home);
        Cli.Result noPassword = CLI.run(home, "instance", "register", "legacy", "--host", "db1", "--user", "site_admin");
        assertEquals(ExitCodes.USAGE, noPassword.exitCode());
        assertTrue(noPassword.err().contains("--password-file"), noPassword.err());
        CLI.run(home, "instance", "register", "legacy", "--host", "db1", "--user", "site_admin",
                        "--password-file", home.resolve("missing").toString())
                .assertOneLineError(ExitCodes.USAGE, "--password-file " + home.resolve("missing") + " cannot be read");
        Path empty = Files.writeString(home.resolve("empty"), "");
        CLI.run(home, "instance", "register", "legacy", "--host", "db1", "--user", "site_admin", "--password-file", empty.toString())
                .assertOneLineError(ExitCodes.USAGE, "is empty (its first line is the password)");
        Path pw = Files.writeString(home.resolve("pw"), "secret\n");
        CLI.run(home, "instance", "register", "legacy", "--host", "db1", "--user", "site_admin", "--password-file", pw.toString(),
                        "--replication-user", "site_repl")
                .assertOneLineError(ExitCodes.USAGE, "--replication-user and --replication-password-file go together");
        CLI.run(home, "instance", "register", "legacy", "--host", "db1", "--user", "Site Admin", "--password-file", pw.toString())
                .assertOneLineError(ExitCodes.USAGE, "the user must be a plain lower-case role name");
    }
}
