package io.tideline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /**
     * Issue 13: the check runs before anything else is asked (Kafka here is a closed port): a server that does not
     * answer is refused with its reason line and fix on stdout, one error line, exit 4.
     */
    @Test
    void aServerThatDoesNotAnswerIsRefusedWithItsReasonBeforeTheDeploymentIsAsked() throws Exception {
        Files.createDirectories(home);
        Path pw = Files.writeString(home.resolve("pw"), "secret\n");
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Cli.Result result = CLI.run(home, "instance", "register", "legacy", "--host", "127.0.0.1", "--port", Integer.toString(closed),
                        "--user", "site_admin", "--password-file", pw.toString(), "--bootstrap-servers", "127.0.0.1:" + closed);
        assertEquals(ExitCodes.REFUSED, result.exitCode(), result.toString());
        assertEquals(List.of("Checking 127.0.0.1:" + closed + " ...", "tideline: registration of legacy refused: 1 problem(s) on 127.0.0.1:"
                + closed + "/postgres (listed above, each with its fix); nothing was made"), result.errLines());
        assertTrue(result.out().contains("FAIL 127.0.0.1:" + closed + " is unreachable ("), result.out());
        assertTrue(result.out().contains("-- fix: start the server"), result.out());
        assertTrue(!result.out().contains("secret") && !result.err().contains("secret"), "no password printed");
    }
}
