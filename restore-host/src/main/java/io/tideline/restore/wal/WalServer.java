package io.tideline.restore.wal;

import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.WalSpool;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.wal.WalSegmentName;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the WAL of running restores to their recovering servers, which ask for it one file at a time
 * through {@code restore_command} (curl to {@link WalController}): one long-lived service instead of a
 * JVM started per segment. Each restore has its own {@link WalSession} and {@link WalToken}: a request without
 * the restore's token (or for a restore not served here) is refused, whoever can reach the endpoint.
 * When the server runs on this machine, segments fetched ahead wait for it in a {@link WalSpool}, and
 * its {@code restore_command} renames them into place without asking this server at all.
 */
public final class WalServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WalServer.class);

    private final int prefetch;
    /** How often the spools are checked for segments the servers took (a replayed segment takes far longer). */
    private static final long REAP_EVERY_MILLIS = 50;

    private final ExecutorService fetchers;
    private final ScheduledExecutorService reaper;
    private final Map<RestoreId, WalSession> sessions = new ConcurrentHashMap<>();
    private final Map<RestoreId, WalToken> tokens = new ConcurrentHashMap<>();

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
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wal-spool-reaper");
            t.setDaemon(true);
            return t;
        });
        reaper.scheduleWithFixedDelay(this::reapAll, REAP_EVERY_MILLIS, REAP_EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts serving WAL for {@code restoreId} from {@code source} (the source instance's own store), handing
     * segments ahead to {@code spool} when the server has one (else over HTTP only), to requests that present
     * {@code token}.
     */
    public WalSession open(RestoreId restoreId, ObjectStore source, BucketLayout layout, Set<WalSegmentName> required,
                           Optional<WalSpool> spool, WalToken token) {
        WalSession session = new WalSession(restoreId, source, layout, required, prefetch, fetchers, spool);
        if (sessions.putIfAbsent(restoreId, session) != null) {
            throw new IllegalStateException("WAL of restore " + restoreId + " is already being served");
        }
        tokens.put(restoreId, java.util.Objects.requireNonNull(token, "token"));
        return session;
    }

    /** Segments fetched ahead of recovery, per restore. */
    public int prefetch() {
        return prefetch;
    }

    public Optional<WalSession> session(RestoreId restoreId) {
        return Optional.ofNullable(sessions.get(restoreId));
    }

    /**
     * The restore's answer for {@code fileName}, when {@code presentedToken} is its token; else {@link WalAnswer.Refused}
     * (also for a restore not served here: the answer does not tell which restores run).
     */
    public WalAnswer fetch(RestoreId restoreId, String fileName, String presentedToken) {
        WalSession session = sessions.get(restoreId);
        WalToken token = tokens.get(restoreId);
        if (session == null || token == null || !token.accepts(presentedToken)) {
            return new WalAnswer.Refused(restoreId);
        }
        return session.fetch(fileName);
    }

    /** Stops serving the restore's WAL (after promotion or failure). */
    public void close(RestoreId restoreId) {
        WalSession session = sessions.remove(restoreId);
        tokens.remove(restoreId);
        if (session != null) {
            session.close();
        }
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        sessions.keySet().forEach(this::close);
        fetchers.shutdownNow();
    }

    private void reapAll() {
        for (WalSession session : sessions.values()) {
            try {
                session.reap();
            } catch (RuntimeException e) {
                // A scheduled task that throws is never run again: keep reaping the others.
                LOG.warn("restore {}: checking its WAL spool failed: {}", session.restoreId(), e.toString());
            }
        }
    }
}
