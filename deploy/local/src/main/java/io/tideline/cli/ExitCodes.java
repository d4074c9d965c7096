package io.tideline.cli;

/** What the {@code tideline} command's exit status means. Scripts may rely on these. */
public final class ExitCodes {

    /** It did what was asked. */
    public static final int OK = 0;
    /** Anything else went wrong (unknown instance, a server that does not answer, an I/O error). */
    public static final int FAILURE = 1;
    /** The command line was wrong: unknown option, missing or malformed argument. */
    public static final int USAGE = 2;
    /** No runtime runs and no deployment was given by flags or environment. */
    public static final int NOT_RUNNING = 3;
    /** The system refused or could not do it: backup failed, restore rejected or failed, an audit check failed, a demo check failed. */
    public static final int REFUSED = 4;

    private ExitCodes() {
    }
}
