package io.tideline.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a runtime is started.
 *
 * @param walFlushInterval how often the archiver uploads the partial WAL segment when it grew
 *                         (DESIGN: at most 60 s; the demo uses a few seconds)
 * @param serviceHeap      {@code -Xmx} of the detached runtime JVM that runs the four services
 * @param extraProperties  Micronaut properties added last (tests switch services off with them)
 * @param exitWithPid      a detached runtime stops when this process ends (a test that started it)
 */
public record RuntimeOptions(Duration walFlushInterval, String serviceHeap, Map<String, Object> extraProperties,
                             java.util.Optional<Long> exitWithPid) {

    public static final Duration DEFAULT_WAL_FLUSH_INTERVAL = Duration.ofSeconds(60);
    public static final String DEFAULT_SERVICE_HEAP = "1g";
    /** The longest any one server may take to come up. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    public RuntimeOptions {
        Objects.requireNonNull(walFlushInterval, "walFlushInterval");
        Objects.requireNonNull(serviceHeap, "serviceHeap");
        if (walFlushInterval.isNegative() || walFlushInterval.isZero() || walFlushInterval.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("the WAL flush interval must be between 1 ms and 60 s, got " + walFlushInterval);
        }
        if (!serviceHeap.matches("\\d+[kmgKMG]")) {
            throw new IllegalArgumentException("not a JVM heap size (e.g. 768m, 1g): " + serviceHeap);
        }
        extraProperties = Map.copyOf(extraProperties);
        Objects.requireNonNull(exitWithPid, "exitWithPid");
    }

    public static RuntimeOptions defaults() {
        return new RuntimeOptions(DEFAULT_WAL_FLUSH_INTERVAL, DEFAULT_SERVICE_HEAP, Map.of(), java.util.Optional.empty());
    }

    public RuntimeOptions withWalFlushInterval(Duration interval) {
        return new RuntimeOptions(interval, serviceHeap, extraProperties, exitWithPid);
    }

    public RuntimeOptions withExitWithPid(long pid) {
        return new RuntimeOptions(walFlushInterval, serviceHeap, extraProperties, java.util.Optional.of(pid));
    }

    public RuntimeOptions withExtraProperties(Map<String, Object> properties) {
        return new RuntimeOptions(walFlushInterval, serviceHeap, properties, exitWithPid);
    }
}
