package io.tideline.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.secrets.SecretStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * How far a recovering server has replayed, in time: the commit time of the last transaction it replayed
 * ({@code pg_last_xact_replay_timestamp()}), which is what "replayed to 10:02:31 of 10:15:30" shows. The server
 * answers from the moment it is consistent (hot standby); before that, or when it cannot be asked, the answer is
 * empty and the progress simply carries no time — this is a report, never a reason to fail a restore. After
 * promotion the function keeps the last value replay reached, so the replay phase's last report is exact.
 */
public final class ReplayPosition {

    private final InstanceProvisioner instances;
    private final SecretStore secrets;

    public ReplayPosition(InstanceProvisioner instances, SecretStore secrets) {
        this.instances = instances;
        this.secrets = secrets;
    }

    public Optional<Instant> lastReplayedCommit(InstanceId instance) {
        try {
            Optional<ProvisionedInstance> server = instances.find(instance);
            if (server.isEmpty()) {
                return Optional.empty();
            }
            return ask(server.get());
        } catch (RuntimeException e) {
            return Optional.empty(); // a secret or TLS file not there yet: no time in this report
        }
    }

    private Optional<Instant> ask(ProvisionedInstance server) {
        Properties props = new Properties();
        props.setProperty("user", server.adminUser());
        props.setProperty("password", secrets.get(server.adminSecret()));
        // short: the monitor asks at every progress tick, and a server still starting refuses at once anyway
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "5");
        PostgresTls.forInstance(secrets, server.id()).applyTo(props);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), props);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_last_xact_replay_timestamp()")) {
            rs.next();
            return Optional.ofNullable(rs.getTimestamp(1)).map(Timestamp::toInstant);
        } catch (SQLException e) {
            return Optional.empty(); // not consistent yet ("the database system is starting up"), or gone
        }
    }
}
