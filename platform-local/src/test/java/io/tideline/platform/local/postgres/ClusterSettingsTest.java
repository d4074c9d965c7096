package io.tideline.platform.local.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

    @Test
    void anExtraSettingWinsOverTidelinesOwnInPlace() {
        Map<String, String> settings = ClusterSettings.with(Map.of("shared_buffers", "1GB", "fsync", "off"));
        assertEquals("1GB", settings.get("shared_buffers"));
        assertEquals("off", settings.get("fsync"));
        List<String> keys = new ArrayList<>(settings.keySet());
        assertEquals(new ArrayList<>(ClusterSettings.BASE.keySet()), keys.subList(0, ClusterSettings.BASE.size()));
        assertEquals(List.of("fsync"), keys.subList(ClusterSettings.BASE.size(), keys.size()));
    }

    @Test
    void aClusterListensOnLoopbackOnlyAndStreamsItsWal() {
        assertEquals("127.0.0.1", ClusterSettings.BASE.get("listen_addresses"));
        assertEquals("", ClusterSettings.BASE.get("unix_socket_directories"));
        assertEquals("replica", ClusterSettings.BASE.get("wal_level"));
        assertEquals("off", ClusterSettings.BASE.get("archive_mode"));
    }

    @Test
    void onAHostOfAFleetANewClusterListensOnTheHostsAddressAndLoopback() {
        Map<String, String> settings = ClusterSettings.with(Map.of(), new PostgresNetwork("10.231.7.32", List.of("10.231.7.0/24")));
        assertEquals("10.231.7.32,127.0.0.1", settings.get("listen_addresses"));
        assertEquals("127.0.0.1", ClusterSettings.with(Map.of(), PostgresNetwork.loopback()).get("listen_addresses"));
    }
}
