package io.tideline.core.time;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Secondary;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The UTC system clock as the one {@link Clock} bean of a context. Defined in core because the
 * embedded runtime runs every service in ONE context: services inject {@code Clock} and must not
 * each define their own. A test that defines a {@code Clock} bean wins over this {@link Secondary} one.
 */
@Factory
public class ClockFactory {

    @Singleton
    @Secondary
    Clock utcClock() {
        return Clock.systemUTC();
    }
}
