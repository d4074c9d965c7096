package io.tideline.restore;

import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.instance.ProvisionedInstance;
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
 * Asks a restored instance, once promoted, whether it is usable: it accepts the admin login, is out of
 * recovery and lists its databases. Anything else is a {@link RestoreFailure} naming the instance.
 */
public final class PromotedInstanceCheck {

    /** What the new instance says about itself once promoted. */
    public record Verified(long timeline, Optional<Instant> lastCommit) {
    }

    private final SecretStore secrets;

    public PromotedInstanceCheck(SecretStore secrets) {
        this.secrets = secrets;
    }

    public Verified verify(ProvisionedInstance server) {
        Properties props = new Properties();
        props.setProperty("user", server.adminUser());
        props.setProperty("password", secrets.get(server.adminSecret()));
        props.setProperty("connectTimeout", "10");
        PostgresTls.forInstance(secrets, server.id()).applyTo(props);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), props);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), pg_last_xact_replay_timestamp(), "
                     + "substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8), (SELECT count(*) FROM pg_database)")) {
            rs.next();
            if (rs.getBoolean(1)) {
                throw new RestoreFailure("the new instance " + server.id() + " is still in recovery after promotion");
            }
            Timestamp last = rs.getTimestamp(2);
            long timeline = Long.parseLong(rs.getString(3), 16);
            if (rs.getLong(4) < 1) {
                throw new RestoreFailure("the new instance " + server.id() + " lists no databases");
            }
            return new Verified(timeline, Optional.ofNullable(last).map(Timestamp::toInstant));
        } catch (SQLException e) {
            throw new RestoreFailure("the new instance " + server.id() + " does not answer queries: " + e.getMessage(), e);
        }
    }
}
