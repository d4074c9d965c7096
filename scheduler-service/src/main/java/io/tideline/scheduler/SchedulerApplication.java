package io.tideline.scheduler;

import io.micronaut.runtime.Micronaut;

/** The scheduler service: the instance registry and the daily backup clock. */
public final class SchedulerApplication {

    private SchedulerApplication() {
    }

    public static void main(String[] args) {
        Micronaut.run(SchedulerApplication.class, args);
    }
}
