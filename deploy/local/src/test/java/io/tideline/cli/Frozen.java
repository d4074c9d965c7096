package io.tideline.cli;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A server process frozen with SIGSTOP for the length of one action and resumed with SIGCONT
 * whatever happens: its sockets stay open and accept connections, but nothing answers, which is
 * how a hung server looks to a client (unlike a dead one, which refuses at once).
 */
final class Frozen {

    private Frozen() {
    }

    static <T> T whileFrozen(ProcessHandle process, Supplier<T> action) {
        signal("STOP", process);
        try {
            return action.get();
        } finally {
            signal("CONT", process);
        }
    }

    private static void signal(String signal, ProcessHandle process) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -" + signal + " " + process.pid(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + process.pid(), e);
        }
    }
}
