package io.tideline.restore.wal;

import io.tideline.core.ids.RestoreId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.wal.WalSegmentName;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves the WAL of running restores to their recovering servers, which ask for it one file at a time
 * through {@code restore_command} (curl to {@link WalController}): one long-lived service instead of a
 * JVM started per segment. Each restore has its own {@link WalSession}; an unknown restore id gets 404.
 */
public final class WalServer implements AutoCloseable {

    private final int prefetch;
    private final ExecutorService fetchers;
    private final Map<RestoreId, WalSession> sessions = new ConcurrentHashMap<>();

    /**
     * @param prefetch segments fetched ahead of what recovery asked for, per restore
     * @param threads  fetches running at once, over all restores
     */
    public WalServer(int prefetch, int threads) {
        if (prefetch < 0 || threads < 1) {
            throw new IllegalArgumentException("prefetch must be >= 0 and threads >= 1");
        }
        this.prefetch = prefetch;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "wal-fetch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.fetchers = Executors.newFixedThreadPool(threads, factory);
    }

    /** Starts serving WAL for {@code restoreId} from {@code source} (the source instance's own store). */
    public WalSession open(RestoreId restoreId, ObjectStore source, BucketLayout layout, Set<WalSegmentName> required) {
        WalSession session = new WalSession(restoreId, source, layout, required, prefetch, fetchers);
        if (sessions.putIfAbsent(restoreId, session) != null) {
            throw new IllegalStateException("WAL of restore " + restoreId + " is already being served");
        }
        return session;
    }

    public Optional<WalSession> session(RestoreId restoreId) {
        return Optional.ofNullable(sessions.get(restoreId));
    }

    public WalAnswer fetch(RestoreId restoreId, String fileName) {
        WalSession session = sessions.get(restoreId);
        return session == null ? new WalAnswer.NotFound(fileName) : session.fetch(fileName);
    }

    /** Stops serving the restore's WAL (after promotion or failure). */
    public void close(RestoreId restoreId) {
        WalSession session = sessions.remove(restoreId);
        if (session != null) {
            session.close();
        }
    }

    @Override
    public void close() {
        sessions.keySet().forEach(this::close);
        fetchers.shutdownNow();
    }
}
