package io.tideline.cli.demo;

import io.tideline.cli.output.Progress;
import io.tideline.runtime.DurationText;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells the demo as it happens: a numbered step with its UTC time, indented facts below it, and a
 * progress bar on stderr while a step waits. Keeps each step's start, duration and outcome for the
 * summary table.
 */
final class Narrator {

    private static final DateTimeFormatter HHMMSS = DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    /** One step of the story as the summary shows it. */
    record StepRecord(String name, Instant started, Duration took, String outcome) {
    }

    private final PrintWriter out;
    private final Progress progress;
    private final Clock clock;
    private final int totalSteps;
    private final List<StepRecord> steps = new ArrayList<>();
    private int number;
    private String current;
    private Instant currentStart;

    Narrator(PrintWriter out, PrintWriter err, boolean interactive, Clock clock, int totalSteps) {
        this.out = out;
        this.progress = new Progress(err, interactive);
        this.clock = clock;
        this.totalSteps = totalSteps;
    }

    /**
     * @param label the step's short name in the summary table
     * @param title what the step does, as narrated
     */
    void step(String label, String title) {
        current = label;
        currentStart = clock.instant();
        number++;
        progress.close();
        out.println();
        out.println("[" + HHMMSS.format(currentStart) + "] " + number + "/" + totalSteps + "  " + title);
        out.flush();
    }

    void say(String fact) {
        progress.close();
        out.println("             " + fact);
        out.flush();
    }

    /** Ends the current step with its outcome for the summary. */
    void done(String outcome) {
        progress.close();
        Duration took = Duration.between(currentStart, clock.instant());
        steps.add(new StepRecord(current, currentStart, took, outcome));
        out.println("             done in " + DurationText.format(took) + ": " + outcome);
        out.flush();
    }

    Progress progress() {
        return progress;
    }

    List<StepRecord> steps() {
        return List.copyOf(steps);
    }

    static String time(Instant t) {
        return HHMMSS.format(t);
    }
}
