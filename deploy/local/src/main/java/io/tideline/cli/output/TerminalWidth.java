package io.tideline.cli.output;

import java.io.IOException;
import java.util.function.IntSupplier;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The width of the terminal that stderr writes to, asked of the terminal through JLine (not
 * {@code $COLUMNS}, which a shell does not export and which misses a resize). Asked at most once a second:
 * without native support JLine asks {@code stty}, a process per question.
 */
public final class TerminalWidth implements IntSupplier {

    static final int FALLBACK = 80;
    private static final long ASK_EVERY_NANOS = 1_000_000_000L;

    private final Terminal terminal;
    private long askedAt;
    private int width = FALLBACK;

    private TerminalWidth(Terminal terminal) {
        this.terminal = terminal;
    }

    /** The width of stderr's terminal; {@value #FALLBACK} when there is none or it cannot say. */
    public static IntSupplier ofStderr() {
        try {
            // No signal handlers (Ctrl-C keeps the JVM's own meaning), no input taken: only the size is read.
            Terminal terminal = TerminalBuilder.builder()
                    .system(true)
                    .systemOutput(TerminalBuilder.SystemOutput.SysErr)
                    .nativeSignals(false)
                    .signalHandler(Terminal.SignalHandler.SIG_DFL)
                    .dumb(true)
                    .build();
            return new TerminalWidth(terminal);
        } catch (IOException | RuntimeException | LinkageError e) {
            return () -> FALLBACK;
        }
    }

    @Override
    public synchronized int getAsInt() {
        long now = System.nanoTime();
        if (askedAt == 0 || now - askedAt >= ASK_EVERY_NANOS) {
            askedAt = now;
            int w = terminal.getWidth();
            width = w > 0 ? w : FALLBACK;
        }
        return width;
    }
}
