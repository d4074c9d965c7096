package io.tideline.cli;

/** What the {@code tideline} command's exit status means. Scripts may rely on these. */
public final class ExitCodes {

    /** It did what was asked. */
    public static final int OK = 0;
    /** Anything else went wrong (unknown instance, a server answering with an error, an I/O error). */
    public static final int FAILURE = 1;
    /** The command line was wrong: unknown option, missing or malformed argument. */
    public static final int USAGE = 2;
    /**
     * No runtime runs and no deployment was given by flags or environment, or a part of the deployment
     * (Kafka, the object store, the API, PostgreSQL) did not answer within the answer timeout
     * ({@link NoAnswer}): either way the deployment is not there to do it, and trying again later may work.
     */
    public static final int NOT_RUNNING = 3;
    /** The system refused or could not do it: backup failed, restore rejected or failed, an audit check failed, a demo check failed. */
    public static final int REFUSED = 4;

    private ExitCodes() {
    }
}
