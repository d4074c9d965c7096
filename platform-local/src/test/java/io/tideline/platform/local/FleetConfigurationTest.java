package io.tideline.platform.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.config.StartFailure;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetConfigurationTest {

    private static final String SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";

    private static ApplicationContext start(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("tideline.kafka.topics.create-on-startup", false); // only the settings are under test: no broker
        return ApplicationContext.run(all);
    }

    private static String startFailure(Map<String, Object> properties) {
        return StartFailure.reason(assertThrows(RuntimeException.class, () -> start(properties).close()));
    }

    private static FleetConfiguration withAdmin(String accessKey, String secretKey) {
        return new FleetConfiguration(Optional.of(Path.of("/srv/tideline")), Optional.empty(),
                Path.of(LocalPostgresConfig.DEFAULT_BIN_DIR), Optional.of(accessKey), Optional.of(secretKey),
                Optional.of(Path.of("/srv/tideline/s3/identities")));
    }

    @Test
    void anEmptyConfigurationBindsTheDefaultsAndConfiguresNothingLocal() {
        try (ApplicationContext ctx = start(Map.of())) {
            FleetConfiguration fleet = ctx.getBean(FleetConfiguration.class);
            assertEquals(FleetConfiguration.defaults(), fleet);
            assertEquals(Path.of("/usr/lib/postgresql/15/bin"), fleet.postgresBinDir());
            assertEquals(Optional.empty(), fleet.localPostgres());
            assertEquals(Optional.empty(), fleet.effectiveSecretsDir());
        }
    }

    @Test
    void propertiesBindUnderTheirNamesAndTheHomeGivesTheDerivedPlaces() {
        try (ApplicationContext ctx = start(Map.of("tideline.fleet.home", "/srv/tideline",
                "tideline.fleet.postgres-bin-dir", "/opt/pg15/bin",
                "tideline.fleet.storage-admin-access-key", "ADMINKEY",
                "tideline.fleet.storage-admin-secret-key", SECRET,
                "tideline.fleet.storage-identities-dir", "/srv/tideline/s3/identities"))) {
            FleetConfiguration fleet = ctx.getBean(FleetConfiguration.class);
            assertEquals(Optional.of(Path.of("/srv/tideline/secrets")), fleet.effectiveSecretsDir());
            LocalPostgresConfig postgres = fleet.localPostgres().orElseThrow();
            assertEquals(Path.of("/srv/tideline"), postgres.home());
            assertEquals(Path.of("/opt/pg15/bin"), postgres.binDir());
            assertEquals(LocalPostgresConfig.DEFAULT_START_TIMEOUT, postgres.startTimeout());
            assertEquals(Optional.of("ADMINKEY"), fleet.storageAdminAccessKey());
            assertEquals(Optional.of(SECRET), fleet.storageAdminSecretKey());
            assertEquals(Optional.of(Path.of("/srv/tideline/s3/identities")), fleet.storageIdentitiesDir());
        }
        try (ApplicationContext ctx = start(Map.of("tideline.fleet.home", "/srv/tideline",
                "tideline.fleet.secrets-dir", "/etc/tideline/secrets"))) {
            FleetConfiguration fleet = ctx.getBean(FleetConfiguration.class);
            assertEquals(Optional.of(Path.of("/etc/tideline/secrets")), fleet.effectiveSecretsDir());
            assertEquals(LocalPostgresConfig.defaults(Path.of("/srv/tideline")), fleet.localPostgres().orElseThrow());
        }
    }

    @Test
    void halfAnAdminIdentityStopsTheStartNamingTheMissingProperty() {
        assertEquals("tideline.fleet.storage-admin-secret-key is missing", startFailure(Map.of(
                "tideline.fleet.storage-admin-access-key", "ADMINKEY",
                "tideline.fleet.storage-identities-dir", "/srv/tideline/s3/identities")));
        assertEquals("tideline.fleet.storage-identities-dir is missing", startFailure(Map.of(
                "tideline.fleet.storage-admin-access-key", "ADMINKEY",
                "tideline.fleet.storage-admin-secret-key", SECRET)));
        assertEquals("tideline.fleet.storage-admin-access-key is missing", startFailure(Map.of(
                "tideline.fleet.storage-admin-access-key", " ",
                "tideline.fleet.storage-admin-secret-key", SECRET,
                "tideline.fleet.storage-identities-dir", "/srv/tideline/s3/identities")));
    }

    @Test
    void theAdminSecretKeyIsNeverPrinted() {
        String text = withAdmin("ADMINKEY", SECRET).toString();
        assertFalse(text.contains(SECRET), text);
        assertTrue(text.contains("ADMINKEY") && text.contains("/srv/tideline/s3/identities"), text);
        String failure = assertThrows(IllegalArgumentException.class, () -> new FleetConfiguration(Optional.empty(),
                Optional.empty(), Path.of("/bin"), Optional.empty(), Optional.of(SECRET), Optional.empty())).getMessage();
        assertFalse(failure.contains(SECRET), failure);
    }

    @Test
    void thePostgresNetworkIsLoopbackUnlessAHostAddressAndClientNetworksAreGiven() {
        try (ApplicationContext ctx = start(Map.of())) {
            assertTrue(ctx.getBean(PostgresNetworkConfiguration.class).network().isLoopback());
        }
        try (ApplicationContext ctx = start(Map.of(PostgresNetworkConfiguration.LISTEN_ADDRESS, "10.231.7.32",
                PostgresNetworkConfiguration.CLIENT_NETWORKS, "10.231.7.0/24,10.1.0.0/16"))) {
            var network = ctx.getBean(PostgresNetworkConfiguration.class).network();
            assertEquals("10.231.7.32", network.listenAddress());
            assertEquals(java.util.List.of("10.231.7.0/24", "10.1.0.0/16"), network.clientNetworks());
        }
        String failure = startFailure(Map.of(PostgresNetworkConfiguration.LISTEN_ADDRESS, "0.0.0.0"));
        assertTrue(failure.contains("tideline.fleet.postgres-network") && failure.contains("0.0.0.0"), failure);
    }
}
