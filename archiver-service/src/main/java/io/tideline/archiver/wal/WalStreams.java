package io.tideline.archiver.wal;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.ObjectStores;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL streams of this replica, one {@link InstanceStreamer} thread per instance it owns.
 * Stopping is bounded: streams that did not stop within the stop timeout are cut.
 */
public final class WalStreams implements StreamControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WalStreams.class);

    private record Running(RegisteredInstance registration, InstanceStreamer streamer, WalStreamMetrics metrics) {
    }

    private final WalSettings settings;
    private final SecretStore secrets;
    private final ObjectStores stores;
    private final WalEvents events;
    private final MeterRegistry meters;
    private final Clock clock;
    private final WalIndex.Factory indexes;
    private final Map<InstanceId, Running> running = new ConcurrentHashMap<>();
    private final StartGate gate;

    WalStreams(WalSettings settings, SecretStore secrets, ObjectStores stores, WalEvents events, MeterRegistry meters, Clock clock) {
        this(settings, secrets, stores, events, meters, clock, (b, l, t, s, c) -> null, StreamStartSettings.unpaced());
    }

    /**
     * @param indexes the undo finder's index of each stream session (null from it: off)
     * @param starts  how fast sessions start (issue 18: a restarted replica does not open all at once)
     */
    WalStreams(WalSettings settings, SecretStore secrets, ObjectStores stores, WalEvents events, MeterRegistry meters, Clock clock,
               WalIndex.Factory indexes, StreamStartSettings starts) {
        this.indexes = indexes;
        this.gate = new StartGate(starts, clock);
        this.settings = settings;
        this.secrets = secrets;
        this.stores = stores;
        this.events = events;
        this.meters = meters;
        this.clock = clock;
    }

    @Override
    public synchronized void start(RegisteredInstance instance) {
        Running current = running.get(instance.id());
        if (current != null) {
            if (current.registration().equals(instance)) {
                return;
            }
            LOG.info("{}: registration changed, restarting its WAL stream", instance.id());
            stop(List.of(instance.id()), true);
            stores.evict(instance.id()); // new storage keys, if they changed, are read again
        }
        WalStreamMetrics metrics = new WalStreamMetrics(meters, instance.id(), clock);
        InstanceStreamer streamer = new InstanceStreamer(ReplicationTarget.of(instance, secrets), instance.walSegmentSize(),
                () -> stores.forInstance(instance.id()), settings, events, metrics, clock, indexes, gate);
        running.put(instance.id(), new Running(instance, streamer, metrics));
        LOG.info("{}: starting WAL stream", instance.id());
        streamer.start();
    }

    @Override
    public void stop(Collection<InstanceId> instances, boolean flush) {
        List<Running> stopping = new ArrayList<>();
        synchronized (this) {
            for (InstanceId id : instances) {
                Running r = running.remove(id);
                if (r != null) {
                    r.streamer().requestStop(flush);
                    stopping.add(r);
                }
            }
        }
        Instant deadline = clock.instant().plus(settings.stopTimeout());
        for (Running r : stopping) {
            try {
                Duration left = Duration.between(clock.instant(), deadline);
                if (left.isNegative() || !r.streamer().awaitStopped(left)) {
                    LOG.warn("{}: WAL stream did not stop within {}, cutting it", r.streamer().instance(), settings.stopTimeout());
                    r.streamer().abort();
                    r.streamer().awaitStopped(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                r.streamer().abort();
            } finally {
                r.metrics().close();
            }
        }
    }

    /**
     * Cuts every stream at once, storing nothing more: what a crash does. What was not stored stays
     * on the servers through their slots. For shutdown without delay, and for tests of a crash.
     */
    public void abortAll() {
        List<Running> all;
        synchronized (this) {
            all = new ArrayList<>(running.values());
            running.clear();
        }
        all.forEach(r -> r.streamer().abort());
        for (Running r : all) {
            try {
                r.streamer().awaitStopped(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                r.metrics().close();
            }
        }
    }

    public Set<InstanceId> streaming() {
        return Set.copyOf(running.keySet());
    }

    /** What the instance's stream is doing, if this replica streams it. */
    public Optional<String> state(InstanceId instance) {
        return Optional.ofNullable(running.get(instance)).map(r -> r.streamer().state());
    }

    /** Stores the growing segments and stops every stream (the replica shuts down). */
    @Override
    public void close() {
        stop(List.copyOf(running.keySet()), true);
    }
}
