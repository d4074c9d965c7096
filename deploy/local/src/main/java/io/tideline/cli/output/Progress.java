package io.tideline.cli.output;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Objects;

/**
 * Progress of a long operation on stderr. On a terminal, one line redrawn in place
 * ({@code [#######.......]  48%  12.0 MiB / 25.0 MiB  replaying WAL  00:07}); otherwise (a pipe,
 * a log, a test) a plain line whenever the phase changes, so the output stays readable.
 */
public final class Progress implements AutoCloseable {

    private static final int BAR_WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final boolean interactive;
    private final long startedNanos = System.nanoTime();
    private String phase = "";
    private long lastDraw;
    private int drawnWidth;

    public Progress(PrintWriter err, boolean interactive) {
        this.err = Objects.requireNonNull(err, "err");
        this.interactive = interactive;
    }

    /**
     * Progress in bytes.
     *
     * @param total 0 or less when unknown: the bar then shows the elapsed time only
     */
    public synchronized void update(String phase, long done, long total) {
        update(phase, done, total, true);
    }

    /** Progress in items (rows, segments): the same bar, counts shown as plain numbers. */
    public synchronized void updateCount(String phase, long done, long total) {
        update(phase, done, total, false);
    }

    private void update(String phase, long done, long total, boolean inBytes) {
        boolean newPhase = !phase.equals(this.phase);
        this.phase = phase;
        if (!interactive) {
            if (newPhase) {
                err.println("  " + phase + (total > 0 ? "  (" + amount(done, inBytes) + " of " + amount(total, inBytes) + ")" : ""));
                err.flush();
            }
            return;
        }
        long now = System.nanoTime();
        if (!newPhase && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        draw(render(phase, done, total, elapsedSeconds(), inBytes));
    }

    /** A line of its own (the bar is redrawn below it). */
    public synchronized void line(String message) {
        clear();
        err.println(message);
        err.flush();
        if (interactive && !phase.isEmpty()) {
            lastDraw = 0;
        }
    }

    /** Removes the bar. */
    @Override
    public synchronized void close() {
        clear();
        err.flush();
    }

    static String render(String phase, long done, long total, long elapsedSeconds) {
        return render(phase, done, total, elapsedSeconds, true);
    }

    static String render(String phase, long done, long total, long elapsedSeconds, boolean inBytes) {
        StringBuilder s = new StringBuilder();
        if (total > 0) {
            double fraction = Math.max(0, Math.min(1, (double) done / total));
            int filled = (int) Math.round(fraction * BAR_WIDTH);
            s.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100)))
                    .append("  ").append(amount(done, inBytes)).append(" / ").append(amount(total, inBytes));
        } else {
            // Unknown size: a bouncing marker shows that it is alive.
            int pos = (int) (elapsedSeconds % (2L * (BAR_WIDTH - 1)));
            int at = pos < BAR_WIDTH ? pos : 2 * (BAR_WIDTH - 1) - pos;
            s.append('[').append(".".repeat(at)).append('#').append(".".repeat(BAR_WIDTH - 1 - at)).append(']');
            if (done > 0) {
                s.append("  ").append(amount(done, inBytes));
            }
        }
        s.append("  ").append(phase).append(String.format(Locale.ROOT, "  %02d:%02d", elapsedSeconds / 60, elapsedSeconds % 60));
        return s.toString();
    }

    private static String amount(long n, boolean inBytes) {
        return inBytes ? bytes(n) : Long.toString(n);
    }

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private long elapsedSeconds() {
        return (System.nanoTime() - startedNanos) / 1_000_000_000L;
    }

    private void draw(String text) {
        err.print("\r" + text + " ".repeat(Math.max(0, drawnWidth - text.length())));
        err.flush();
        drawnWidth = text.length();
    }

    private void clear() {
        if (interactive && drawnWidth > 0) {
            err.print("\r" + " ".repeat(drawnWidth) + "\r");
            drawnWidth = 0;
        }
    }
}
