package io.tideline.core.adoption;

/**
 * A registration refused because its server failed the check; nothing was made. The report holds every
 * reason, each with its fix.
 */
public final class AdoptionRefused extends RuntimeException {

    private final transient CheckReport report;

    public AdoptionRefused(String name, CheckReport report) {
        super("registration of " + name + " refused: " + report.problems().size() + " problem(s) on " + report.server()
                + ": " + String.join("; ", report.problems().stream().map(CheckReport.Problem::what).toList()));
        this.report = report;
    }

    public CheckReport report() {
        return report;
    }
}
