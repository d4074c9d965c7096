package io.tideline.cli.output;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Progress of a long operation on stderr. On a terminal, one line redrawn in place and never wider than
 * the terminal ({@link TerminalWidth}), e.g.
 * {@code [#######.......]  48%  12.0 MiB / 25.0 MiB  3.1 MiB/s  00:04 left  replaying WAL  00:07}; what does
 * not fit is dropped (the end of the phase text, the elapsed clock, speed and time left, the bar). Otherwise (a pipe, a
 * log, a test) plain lines: one when a phase starts and one at each further quarter of a known total, so
 * a log reads as a story rather than as a stream of redraws.
 *
 * <p>Figures never pass their total: a service may report more than it announced (whole WAL segments
 * against a byte estimate); the bar then shows the total, 100 %, and no time left.
 */
public final class Progress implements AutoCloseable {

    private static final int BAR_WIDTH = 30;
    private static final int MIN_BAR_WIDTH = 8;
    /** The phase text kept before the speed and time left are given up for it. */
    private static final int MIN_PHASE = 16;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final PrintWriter err;
    private final boolean interactive;
    private final IntSupplier columns;
    private final LongSupplier nanos;
    private final long startedNanos;
    private String phase = "";
    private long phaseStartedNanos;
    private long lastDraw;
    private int drawnWidth;
    private int quartersPrinted;

    /** On a terminal ({@code interactive}), the width is asked of the terminal itself (JLine). */
    public Progress(PrintWriter err, boolean interactive) {
        this(err, interactive, interactive ? TerminalWidth.ofStderr() : () -> 80, System::nanoTime);
    }

    /**
     * @param columns the terminal's width now (asked before each redraw: a resized window is followed)
     * @param nanos   a monotonic clock (tests pass their own)
     */
    public Progress(PrintWriter err, boolean interactive, IntSupplier columns, LongSupplier nanos) {
        this.err = Objects.requireNonNull(err, "err");
        this.interactive = interactive;
        this.columns = Objects.requireNonNull(columns, "columns");
        this.nanos = Objects.requireNonNull(nanos, "nanos");
        this.startedNanos = nanos.getAsLong();
    }

    /**
     * Progress in bytes.
     *
     * @param total 0 or less when unknown: the bar then shows the elapsed time only
     */
    public synchronized void update(String phase, long done, long total) {
        update(phase, "", done, total, true);
    }

    /**
     * Progress in bytes with a detail that changes within the phase (shown, but not a new phase: off a
     * terminal it does not print a line of its own).
     */
    public synchronized void update(String phase, String detail, long done, long total) {
        update(phase, detail == null ? "" : detail, done, total, true);
    }

    /** Progress in items (rows, segments): the same bar, counts shown as plain numbers. */
    public synchronized void updateCount(String phase, long done, long total) {
        update(phase, "", done, total, false);
    }

    private void update(String phase, String detail, long done, long total, boolean inBytes) {
        long now = nanos.getAsLong();
        boolean newPhase = !phase.equals(this.phase);
        if (newPhase) {
            this.phase = phase;
            phaseStartedNanos = now;
            quartersPrinted = 0;
        }
        Figures figures = new Figures(done, total, inBytes, (now - phaseStartedNanos) / (double) NANOS_PER_SECOND);
        if (!interactive) {
            plainLine(newPhase, phase, detail, figures);
            return;
        }
        if (!newPhase && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        String text = detail.isEmpty() ? phase : phase + ": " + detail;
        int width = columns.getAsInt();
        draw(render(text, figures, (now - startedNanos) / NANOS_PER_SECOND, width), width);
    }

    private void plainLine(boolean newPhase, String phase, String detail, Figures f) {
        int quarter = f.known() ? (int) Math.floor(f.fraction() * 4) : 0;
        String line;
        if (newPhase) {
            // The phase and what it will move; "0 B of ..." would say nothing.
            line = "  " + phase + (detail.isEmpty() ? "" : ": " + detail) + (!f.known() ? "" : f.done() > 0 ? "  (" + f.amount(f.done()) + " of " + f.amount(f.total()) + ")"
                    : "  (" + f.amount(f.total()) + ")");
        } else if (quarter > quartersPrinted) {
            line = "  " + phase + "  " + f.percentAndAmounts() + f.rate().map(r -> "  " + r).orElse("");
        } else {
            return;
        }
        quartersPrinted = Math.max(quartersPrinted, quarter);
        err.println(line);
        err.flush();
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
        return render(phase, new Figures(done, total, inBytes, 0), elapsedSeconds, BAR_WIDTH + 200);
    }

    /**
     * The bar for a terminal of {@code columns} columns: at most {@code columns - 1} characters (writing
     * the last column makes some terminals wrap, and the next {@code \r} then redraws on a new line).
     */
    static String render(String phase, Figures f, long elapsedSeconds, int columns) {
        int room = Math.max(20, columns) - 1;
        String elapsed = clock(elapsedSeconds);
        String figures = f.known() ? f.percentAndAmounts() : f.done() > 0 ? f.amount(f.done()) : "";
        String rate = f.rate().orElse("");
        String left = f.timeLeft().map(s -> clock(s) + " left").orElse("");
        // What does not fit is dropped, least telling first: the phase's tail (down to MIN_PHASE), the elapsed
        // clock, the speed and time left, the bar; then the phase's tail again, to nothing.
        boolean[][] tries = {{true, true, true}, {true, true, false}, {true, false, true}, {false, false, true}};
        for (int i = 0; i < tries.length; i++) {
            boolean withBar = tries[i][0];
            boolean withSpeed = tries[i][1];
            String clock = tries[i][2] ? elapsed : "";
            String fixed = withSpeed ? join(figures, rate, left, clock) : join(figures, clock);
            int phaseRoom = room - (withBar ? MIN_BAR_WIDTH + 4 : 0) - fixed.length() - 2;
            if (i < tries.length - 1 && phaseRoom < Math.min(MIN_PHASE, phase.length())) {
                continue;
            }
            String shown = shorten(phase, phaseRoom);
            String text = withSpeed ? join(figures, rate, left, shown, clock) : join(figures, shown, clock);
            int barWidth = withBar ? Math.min(BAR_WIDTH, room - text.length() - 4) : 0;
            String line = barWidth >= MIN_BAR_WIDTH ? bar(f, barWidth, elapsedSeconds) + (f.known() ? " " : "  ") + text : text;
            return line.length() > room ? line.substring(0, room) : line;
        }
        throw new IllegalStateException("unreachable: the second pass always returns");
    }

    private static String bar(Figures f, int width, long elapsedSeconds) {
        if (f.known()) {
            int filled = (int) Math.round(f.fraction() * width);
            return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
        }
        // Unknown size: a bouncing marker shows that it is alive.
        int pos = (int) (elapsedSeconds % (2L * (width - 1)));
        int at = pos < width ? pos : 2 * (width - 1) - pos;
        return "[" + ".".repeat(at) + "#" + ".".repeat(width - 1 - at) + "]";
    }

    private static String join(String... parts) {
        StringBuilder s = new StringBuilder();
        for (String p : parts) {
            if (!p.isEmpty()) {
                s.append(s.isEmpty() ? "" : "  ").append(p);
            }
        }
        return s.toString();
    }

    private static String shorten(String text, int room) {
        if (text.length() <= room) {
            return text;
        }
        return room <= 1 ? "" : text.substring(0, room - 1) + "…";
    }

    private static String clock(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%02d:%02d", seconds / 60, seconds % 60);
    }

    /**
     * What a phase has moved, clamped to its total.
     *
     * @param seconds time since the phase started (the speed is the phase's average: steady, and right for
     *                phases that move at one pace)
     */
    record Figures(long done, long total, boolean inBytes, double seconds) {

        Figures {
            done = Math.max(0, total > 0 ? Math.min(done, total) : done);
        }

        boolean known() {
            return total > 0;
        }

        double fraction() {
            return known() ? (double) done / total : 0;
        }

        String percentAndAmounts() {
            return String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction() * 100)) + "  " + amount(done) + " / " + amount(total);
        }

        String amount(long n) {
            return inBytes ? bytes(n) : Long.toString(n);
        }

        /** Per second, once a second has passed and something moved. */
        java.util.Optional<String> rate() {
            if (seconds < 1 || done <= 0) {
                return java.util.Optional.empty();
            }
            long perSecond = Math.round(done / seconds);
            return java.util.Optional.of((inBytes ? bytes(perSecond) : Long.toString(perSecond)) + "/s");
        }

        java.util.Optional<Long> timeLeft() {
            if (!known() || seconds < 1 || done <= 0 || done >= total) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of((long) Math.ceil((total - done) / (done / seconds)));
        }
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

    private void draw(String text, int width) {
        // Blank what the previous (longer) line left, never past the terminal's width (a narrowed window).
        int blank = Math.min(drawnWidth, Math.max(20, width) - 1) - text.length();
        err.print("\r" + text + " ".repeat(Math.max(0, blank)));
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
