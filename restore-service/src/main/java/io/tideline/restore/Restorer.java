package io.tideline.restore;

/** Carries one accepted restore to its end ({@link RestoreProcess}); publishes its outcome and never throws. */
@FunctionalInterface
interface Restorer {

    void run(RestorePlan plan, RestoreTracker tracker);
}
