package io.tideline.archiver.changes;

import io.micronaut.context.annotation.Requires;
import io.tideline.archiver.wal.ServerConnections;
import io.tideline.archiver.wal.WalIndex;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.wal.Lsn;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Opens a {@link ChangeIndexer} for each WAL stream session; off with {@code tideline.archiver.changes.enabled=false}. */
@Singleton
@Requires(property = ChangeIndexSettings.PREFIX + ".enabled", notEquals = "false")
final class ChangeIndexes implements WalIndex.Factory {

    private final ChangeIndexSettings settings;
    private final Clock clock;

    ChangeIndexes(ChangeIndexSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public WalIndex open(ObjectStore bucket, BucketLayout layout, long timeline, Lsn start, ServerConnections server) {
        ChangeIndexer indexer = new ChangeIndexer(bucket, layout, timeline, start, ChangeIndexer.serverCatalog(server, clock), settings, clock);
        indexer.start();
        return indexer;
    }
}
