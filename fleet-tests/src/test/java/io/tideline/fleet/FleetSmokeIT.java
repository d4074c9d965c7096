package io.tideline.fleet;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.schemas.WalSegmentStored;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetFleetExtension.class)
class FleetSmokeIT {

    @Test
    void anExistingServerOnADbHostIsArchivedByAServiceHost(NetFleet fleet) throws Exception {
        try (EventWatch events = new EventWatch(fleet.kafka().bootstrapServers(), List.of(Topics.TIMELINE))) {
            RegisteredInstance pg = fleet.registerServer("db1", "smoke", -1);
            events.await(WalSegmentStored.class, e -> e.getInstanceId().equals(pg.id().value()), Duration.ofSeconds(90));
            assertFalse(events.all(WalSegmentStored.class, e -> e.getInstanceId().equals(pg.id().value())).isEmpty());
        }
    }
}
