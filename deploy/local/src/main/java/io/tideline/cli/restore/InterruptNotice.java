package io.tideline.cli.restore;

import java.io.PrintWriter;

/**
 * What Ctrl-C on {@code restore} says: the restore runs in the restore service, not in this command, so
 * stopping the command stops only the watching. Saying so (with the restore's id and the commands that
 * follow or cancel it) is the decision (docs/decisions.md): cancelling on Ctrl-C would make an impatient
 * key press throw away a restore that was nearly done, and asking a question while the JVM shuts down
 * is not possible.
 */
public final class InterruptNotice implements AutoCloseable {

    private final Thread hook;

    private InterruptNotice(Thread hook) {
        this.hook = hook;
    }

    /** From now until {@link #close}, an interrupt (Ctrl-C, SIGTERM) prints {@link #text} to {@code err} first. */
    public static InterruptNotice register(String restoreId, PrintWriter err, Runnable before) {
        Thread hook = new Thread(() -> {
            before.run();
            err.println();
            err.println(text(restoreId));
            err.flush();
        }, "restore-interrupt-notice");
        Runtime.getRuntime().addShutdownHook(hook);
        return new InterruptNotice(hook);
    }

    public static String text(String restoreId) {
        return "tideline: interrupted; restore " + restoreId + " goes on in the restore service.\n"
                + "  follow it:  ./tideline restore --follow " + restoreId + "\n"
                + "  cancel it:  ./tideline restore --cancel " + restoreId + "  (removes what it made)";
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs or ran: nothing to remove.
        }
    }
}
