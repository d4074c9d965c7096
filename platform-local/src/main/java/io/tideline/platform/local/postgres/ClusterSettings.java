package io.tideline.platform.local.postgres;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The server settings every new cluster gets in its {@code postgresql.conf}. */
final class ClusterSettings {

    /**
     * Memory is kept small: a machine runs many of these next to Kafka and the services. Replication
     * settings are what Tideline's archiver needs. No Unix socket: socket paths under a long home
     * exceed the 107-byte limit, and the default socket directory may not exist.
     */
    static final Map<String, String> BASE = orderedMap(
            "listen_addresses", LocalPostgresProvisioner.HOST,
            "unix_socket_directories", "",
            "wal_level", "replica",
            "max_wal_senders", "10",
            "max_replication_slots", "10",
            "archive_mode", "off",
            "wal_keep_size", "0",
            "max_connections", "50",
            "shared_buffers", "32MB",
            "work_mem", "4MB",
            "maintenance_work_mem", "32MB",
            "password_encryption", "scram-sha-256",
            "log_timezone", "UTC",
            "timezone", "UTC");

    static final String HEADER = "Tideline (LocalPostgresProvisioner)";

    private ClusterSettings() {
    }

    /** {@link #BASE} with {@code extra} over it (an extra setting wins, e.g. {@code fsync=off} in a benchmark). */
    static Map<String, String> with(Map<String, String> extra) {
        Map<String, String> settings = new LinkedHashMap<>(BASE);
        settings.putAll(extra);
        return settings;
    }

    /** As {@link #with(Map)}, listening where {@code network} says (an extra setting still wins). */
    static Map<String, String> with(Map<String, String> extra, PostgresNetwork network) {
        Map<String, String> settings = new LinkedHashMap<>(BASE);
        settings.put("listen_addresses", network.listenAddresses());
        settings.putAll(extra);
        return settings;
    }

    private static Map<String, String> orderedMap(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
