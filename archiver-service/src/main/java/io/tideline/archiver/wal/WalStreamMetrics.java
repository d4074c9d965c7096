package io.tideline.archiver.wal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.wal.Lsn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-instance meters of one stream, tagged {@code instance=<id>}, removed when the stream stops:
 * <ul>
 *   <li>{@value #LAG_BYTES} — the server's WAL end minus what is stored (bytes not yet safe);</li>
 *   <li>{@value #LAG_SECONDS} — how long the oldest byte not yet stored has waited (0 when all is stored);</li>
 *   <li>{@value #STORED_BYTES}, {@value #STORED_SEGMENTS} — uncompressed WAL newly stored, complete segments stored;</li>
 *   <li>{@value #UPLOAD_RETRIES} — uploads tried again after a failure ({@link UploadRetry});</li>
 *   <li>{@value #UPLOAD_ERRORS}, {@value #STREAM_ERRORS}, {@value #GAPS} — failed uploads (each attempt),
 *       broken or refused streams, gaps detected;</li>
 *   <li>{@value #HEARTBEATS} — empty commits made on the idle instance to move its window on;</li>
 *   <li>{@value #STREAMING} — 1 while a replication stream is open;</li>
 *   <li>{@value #BUFFER_BYTES} — memory the stream's segment buffer holds.</li>
 * </ul>
 * Positions are written by the stream thread and read by the registry, hence volatile.
 */
final class WalStreamMetrics implements AutoCloseable {

    static final String LAG_BYTES = "tideline.archiver.wal.lag.bytes";
    static final String LAG_SECONDS = "tideline.archiver.wal.lag.seconds";
    static final String STORED_BYTES = "tideline.archiver.wal.stored.bytes";
    static final String STORED_SEGMENTS = "tideline.archiver.wal.stored.segments";
    static final String UPLOAD_ERRORS = "tideline.archiver.wal.upload.errors";
    static final String UPLOAD_RETRIES = "tideline.archiver.wal.upload.retries";
    static final String STREAM_ERRORS = "tideline.archiver.wal.stream.errors";
    static final String PUBLISH_ERRORS = "tideline.archiver.wal.publish.errors";
    static final String GAPS = "tideline.archiver.wal.gaps";
    static final String HEARTBEATS = "tideline.archiver.wal.heartbeats";
    static final String STREAMING = "tideline.archiver.wal.streaming";
    static final String BUFFER_BYTES = "tideline.archiver.wal.buffer.bytes";

    private final MeterRegistry registry;
    private final Clock clock;
    private final List<Meter> meters = new ArrayList<>();
    private final Counter storedBytes;
    private final Counter storedSegments;
    private final Counter uploadErrors;
    private final Counter uploadRetries;
    private final Counter streamErrors;
    private final Counter gaps;
    private final Counter heartbeats;
    private volatile Lsn serverEnd = Lsn.ZERO;
    private volatile Lsn stored = Lsn.ZERO;
    private volatile Instant oldestUnstoredAt;
    private volatile boolean streaming;
    private volatile int bufferBytes;

    WalStreamMetrics(MeterRegistry registry, InstanceId instance, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        Tags tags = Tags.of("instance", instance.value());
        meters.add(Gauge.builder(LAG_BYTES, this, WalStreamMetrics::lagBytes).tags(tags).baseUnit("bytes")
                .description("WAL on the server not yet stored").register(registry));
        meters.add(Gauge.builder(LAG_SECONDS, this, WalStreamMetrics::lagSeconds).tags(tags).baseUnit("seconds")
                .description("age of the oldest WAL byte not yet stored").register(registry));
        meters.add(Gauge.builder(STREAMING, this, m -> m.streaming ? 1 : 0).tags(tags)
                .description("1 while a replication stream is open").register(registry));
        meters.add(Gauge.builder(BUFFER_BYTES, this, m -> m.bufferBytes).tags(tags).baseUnit("bytes")
                .description("memory held by the segment buffer").register(registry));
        storedBytes = register(Counter.builder(STORED_BYTES).tags(tags).baseUnit("bytes")
                .description("uncompressed WAL newly stored").register(registry));
        storedSegments = register(Counter.builder(STORED_SEGMENTS).tags(tags)
                .description("complete WAL segments stored").register(registry));
        uploadErrors = register(Counter.builder(UPLOAD_ERRORS).tags(tags)
                .description("failed WAL uploads (every attempt)").register(registry));
        uploadRetries = register(Counter.builder(UPLOAD_RETRIES).tags(tags)
                .description("WAL uploads tried again after a failure (a stop ends the retries)").register(registry));
        streamErrors = register(Counter.builder(STREAM_ERRORS).tags(tags)
                .description("replication streams that broke or could not start").register(registry));
        register(Counter.builder(PUBLISH_ERRORS).tags(tags)
                .description("WalSegmentStored events Kafka did not take").register(registry));
        gaps = register(Counter.builder(GAPS).tags(tags).description("WAL gaps detected").register(registry));
        heartbeats = register(Counter.builder(HEARTBEATS).tags(tags)
                .description("empty commits made on the idle instance so its restorable window moves on").register(registry));
    }

    private Counter register(Counter counter) {
        meters.add(counter);
        return counter;
    }

    double lagBytes() {
        long lag = serverEnd.bytesSince(stored);
        return stored.equals(Lsn.ZERO) || lag < 0 ? 0 : lag;
    }

    double lagSeconds() {
        Instant oldest = oldestUnstoredAt;
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
    }

    void serverEnd(Lsn end) {
        if (end.isAfter(serverEnd)) {
            serverEnd = end;
        }
    }

    /** WAL up to {@code position} is stored; {@code newBytes} of it for the first time. */
    void stored(Lsn position, long newBytes, boolean completeSegment) {
        if (position.isAfter(stored)) {
            stored = position;
        }
        if (newBytes > 0) {
            storedBytes.increment(newBytes);
        }
        if (completeSegment) {
            storedSegments.increment();
        }
    }

    /** Bytes are waiting to be stored since {@code since}; null when nothing waits. */
    void unstoredSince(Instant since) {
        oldestUnstoredAt = since;
    }

    Instant unstoredSince() {
        return oldestUnstoredAt;
    }

    void streaming(boolean open) {
        streaming = open;
        if (!open) {
            bufferBytes = 0;
        }
    }

    void bufferBytes(int bytes) {
        bufferBytes = bytes;
    }

    void uploadError() {
        uploadErrors.increment();
    }

    void uploadRetry() {
        uploadRetries.increment();
    }

    void streamError() {
        streamErrors.increment();
    }

    void heartbeat() {
        heartbeats.increment();
    }

    void gap() {
        gaps.increment();
    }

    Lsn storedPosition() {
        return stored;
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
