package io.tideline.platform.local.postgres;

import io.tideline.core.instance.InstanceOperationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The machine's user accounts, through {@code useradd} and {@code userdel} (run by the
 * {@link CommandRunner}; only root may). Both are idempotent: adding a user that exists and removing one
 * that does not succeed. The shadow tools lock {@code /etc/passwd} for each change and refuse (exit 10)
 * while another process holds it, and {@code userdel} refuses (exit 8) while the user runs a process, so
 * this waits and tries again a bounded number of times (20 × 250 ms); calls from this process are serialised.
 */
final class OsAccounts {

    /** A system account: no password, no login shell, no home (Debian's convention for daemons). */
    private static final String NO_SHELL = "/usr/sbin/nologin";
    private static final String NO_HOME = "/nonexistent";
    private static final int USERNAME_TAKEN = 9;
    private static final int USER_ABSENT = 6;
    private static final int FILE_LOCKED = 10;
    /** userdel: the user still runs a process (a server's last backends exit just after {@code pg_ctl stop}). */
    private static final int USER_BUSY = 8;
    private static final int ATTEMPTS = 20;
    private static final Duration LOCK_PAUSE = Duration.ofMillis(250);

    private final CommandRunner runner;
    private final FileSystem fileSystem;
    private final Duration timeout;

    OsAccounts(CommandRunner runner, FileSystem fileSystem, Duration timeout) {
        this.runner = runner;
        this.fileSystem = fileSystem;
        this.timeout = timeout;
    }

    boolean exists(String user) {
        try {
            fileSystem.getUserPrincipalLookupService().lookupPrincipalByName(user);
            return true;
        } catch (UserPrincipalNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look up OS user " + user, e);
        }
    }

    /** Adds {@code user} as a system user with a group of its own, unless it exists. */
    synchronized void addSystemUser(String user, String comment) {
        if (exists(user)) {
            return;
        }
        change("adding OS user " + user, List.of("useradd", "--system", "--user-group", "--no-create-home",
                "--home-dir", NO_HOME, "--shell", NO_SHELL, "--comment", comment, user), USERNAME_TAKEN, Set.of(FILE_LOCKED));
    }

    /** Removes {@code user} and its group; a user that is gone already is no error. */
    synchronized void removeUser(String user) {
        if (!exists(user)) {
            return;
        }
        change("removing OS user " + user, List.of("userdel", user), USER_ABSENT, Set.of(FILE_LOCKED, USER_BUSY));
    }

    /**
     * Runs a change of the account files; {@code alreadyDone} is the exit code that says another process
     * did it first, {@code passing} those that say "not now" and are tried again, a bounded number of times.
     */
    private void change(String step, List<String> command, int alreadyDone, Set<Integer> passing) {
        for (int attempt = 1; ; attempt++) {
            CommandRunner.Result result = runner.run(step, command, timeout, Map.of());
            if (result.ok() || result.exitCode() == alreadyDone) {
                return;
            }
            if (!passing.contains(result.exitCode()) || attempt == ATTEMPTS) {
                throw new InstanceOperationException(step + ": " + String.join(" ", command) + " exited with "
                        + result.exitCode() + ":\n" + result.output());
            }
            Deadline.pause(LOCK_PAUSE);
        }
    }
}
