package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.wal.Lsn;
import io.tideline.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * A {@link ReplicationStream} that plays a script: WAL pieces in order, quiet stretches that move the
 * test's clock, and checks run at a given point. When the script is played out it asks for a stop
 * without flush, so a pump run ends with exactly what the rules stored.
 *
 * <p>Every flushed position reported is checked against {@code durable} at the moment it is reported:
 * the slot must never be told of WAL the store has not confirmed.
 */
final class ScriptedReplicationStream implements ReplicationStream {

    /** A status update as the server would receive it. */
    record Status(Instant at, Lsn flushed, boolean forced) {
    }

    private final MutableClock clock;
    private final StopSignal stop;
    private final Predicate<Lsn> durable;
    private final Deque<Object> script = new ArrayDeque<>();
    private final List<Status> statuses = new ArrayList<>();
    private Lsn next;
    private Lsn flushed = Lsn.ZERO;

    ScriptedReplicationStream(Lsn start, MutableClock clock, StopSignal stop, Predicate<Lsn> durable) {
        this.next = start;
        this.clock = clock;
        this.stop = stop;
        this.durable = durable;
    }

    /** The server sends {@code bytes} of WAL (zeros) next. */
    ScriptedReplicationStream wal(int bytes) {
        script.add(bytes);
        return this;
    }

    /** Nothing arrives while {@code quiet} passes. */
    ScriptedReplicationStream quiet(Duration quiet) {
        script.add((Runnable) () -> clock.advance(quiet));
        return this;
    }

    /** Runs {@code check} when the pump gets here. */
    ScriptedReplicationStream then(Runnable check) {
        script.add(check);
        return this;
    }

    @Override
    public ReplicationMessage.XLogData poll() {
        Object step = script.poll();
        if (step == null) {
            stop.request(false);
            return null;
        }
        if (step instanceof Runnable action) {
            action.run();
            return null;
        }
        byte[] message = new byte[(Integer) step];
        ReplicationMessage.XLogData data = new ReplicationMessage.XLogData(next, next.plus(message.length), clock.instant(), message, 0);
        next = data.end();
        return data;
    }

    @Override
    public void confirmStored(Lsn position) {
        assertTrue(durable.test(position), "the slot was told " + position + " before the store confirmed it");
        flushed = Lsn.max(flushed, position);
    }

    @Override
    public void sendStatus(boolean force) {
        statuses.add(new Status(clock.instant(), flushed, force));
    }

    @Override
    public Lsn serverWalEnd() {
        return next;
    }

    /** The position the server was last told is flushed. */
    Lsn flushed() {
        return flushed;
    }

    List<Status> statuses() {
        return List.copyOf(statuses);
    }
}
