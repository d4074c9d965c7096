package io.tideline.archiver.changes;

import static io.tideline.core.config.Defaults.duration;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.archiver.ArchiverConfig;
import io.tideline.core.config.Require;
import java.time.Duration;

/**
 * The undo finder's index, bound from {@code tideline.archiver.changes.*}.
 *
 * @param enabled                 whether the WAL scan also indexes what transactions destroyed (on by default;
 *                                off leaves only the commit-time scan the restorable window needs)
 * @param catalogRefreshInterval  the shortest time between two catalog snapshots taken because a commit
 *                                changed the catalog: each costs a connection per database. A relation
 *                                created and dropped within it stays unnamed in the index
 */
@ConfigurationProperties(ChangeIndexSettings.PREFIX)
public record ChangeIndexSettings(@Bindable(defaultValue = "true") boolean enabled,
                                  @Bindable(defaultValue = DEFAULT_CATALOG_REFRESH_INTERVAL) Duration catalogRefreshInterval) {

    public static final String PREFIX = ArchiverConfig.PREFIX + ".changes";
    static final String DEFAULT_CATALOG_REFRESH_INTERVAL = "10s";

    public ChangeIndexSettings {
        Require.notNegative(catalogRefreshInterval, PREFIX + ".catalog-refresh-interval");
    }

    public static ChangeIndexSettings defaults() {
        return new ChangeIndexSettings(true, duration(DEFAULT_CATALOG_REFRESH_INTERVAL));
    }
}
