package io.tideline.cli;

import io.tideline.core.registry.RegisteredInstance;
import io.tideline.runtime.DurationText;
import java.time.Duration;
import java.util.Optional;

/** {@code --rto-budget 15m} of {@code instance create} and {@code instance register} (issue 18.6). */
final class RtoBudgetOption {

    private RtoBudgetOption() {
    }

    /** Empty without the option; a clear usage error for text that is not a positive duration of whole seconds. */
    static Optional<Duration> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Duration d;
        try {
            d = DurationText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--rto-budget: " + e.getMessage());
        }
        try {
            return Optional.of(RegisteredInstance.requirePositiveBudget(d));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--rto-budget: " + e.getMessage());
        }
    }
}
