package io.tideline.cli.demo;

import io.tideline.cli.output.Table;
import io.tideline.runtime.DurationText;
import java.io.PrintWriter;
import java.util.List;

/** What the demo did (its steps, with UTC times and durations), what it measured, and its checks. */
public record DemoReport(List<Narrator.StepRecord> steps, List<Fact> facts, List<Check> checks) {

    /** Something measured, for the summary. */
    public record Fact(String name, String value) {
    }

    /** One promise of the design, checked on the result. */
    public record Check(String name, boolean passed, String detail) {
    }

    /** True only when there were checks and every one held. */
    public boolean passed() {
        return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    public void print(PrintWriter out) {
        out.println();
        out.println("Summary (times in UTC)");
        Table table = new Table("STEP", "STARTED", "TOOK", "OUTCOME");
        for (Narrator.StepRecord s : steps) {
            table.row(s.name(), Narrator.time(s.started()), DurationText.format(s.took()), s.outcome());
        }
        table.print(out);
        if (!facts.isEmpty()) {
            out.println();
            Table measured = new Table("MEASURED", "VALUE");
            facts.forEach(f -> measured.row(f.name(), f.value()));
            measured.print(out);
        }
        out.println();
        Table results = new Table("CHECK", "RESULT");
        checks.forEach(c -> results.row(c.name(), (c.passed() ? "ok: " : "FAILED: ") + c.detail()));
        results.print(out);
        out.println();
        long failed = checks.stream().filter(c -> !c.passed()).count();
        out.println(passed() ? "Every check held." : failed + " of " + checks.size() + " checks failed.");
        out.flush();
    }
}
