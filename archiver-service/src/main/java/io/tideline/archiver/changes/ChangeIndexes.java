package io.tideline.archiver.changes;

import io.micronaut.context.annotation.Requires;
import io.tideline.archiver.wal.ServerConnections;
import io.tideline.archiver.wal.WalIndex;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.wal.Lsn;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Opens a {@link ChangeIndexer} for each WAL stream session; off with {@code tideline.archiver.changes.enabled=false}. */
@Singleton
@Requires(property = ChangeIndexSettings.PREFIX + ".enabled", notEquals = "false")
final class ChangeIndexes implements WalIndex.Factory {

    private final ChangeIndexSettings settings;
    private final Clock clock;
    /** Catalog snapshots of all streams, off their threads: each costs a connection per database. */
    private final ExecutorService snapshots = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "catalog-snapshot");
        t.setDaemon(true);
        return t;
    });

    ChangeIndexes(ChangeIndexSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @PreDestroy
    void close() {
        snapshots.shutdownNow();
    }

    @Override
    public WalIndex open(ObjectStore bucket, BucketLayout layout, long timeline, Lsn start, ServerConnections server) {
        ChangeIndexer indexer = new ChangeIndexer(bucket, layout, timeline, start, ChangeIndexer.serverCatalog(server, clock), settings, clock,
                snapshots);
        indexer.start();
        return indexer;
    }
}
