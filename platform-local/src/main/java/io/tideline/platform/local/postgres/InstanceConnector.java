package io.tideline.platform.local.postgres;

import io.tideline.core.postgres.PostgresErrors;
import io.tideline.core.postgres.PostgresFailure;
import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.secrets.SecretStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Logs in to an instance on the address its server listens on (loopback unless a {@link PostgresNetwork} names
 * the host's), with short timeouts: every caller polls or retries, and a login on this host costs little. TLS as
 * {@link PostgresTls} decides for the instance (verify-full when it was made with a certificate), like every other
 * Tideline client.
 */
final class InstanceConnector {

    private final String host;
    private final SecretStore secrets;

    /** @param host the address the servers listen on ({@link PostgresNetwork#listenAddress()}) */
    InstanceConnector(String host, SecretStore secrets) {
        this.host = host;
        this.secrets = secrets;
    }

    Connection connect(InstanceRecord record, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "10");
        props.setProperty("socketTimeout", "60");
        PostgresTls.forInstance(secrets, record.instanceId()).applyTo(props);
        props.setProperty("ApplicationName", "tideline-provisioner");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + record.port() + "/"
                + LocalPostgresProvisioner.DATABASE, props);
    }

    /** A refused login (SQLSTATE class 28, core's {@link PostgresFailure#AUTHENTICATION}): a wrong password does not mend by waiting. */
    static boolean isAuthenticationFailure(SQLException e) {
        return PostgresErrors.classify(e) == PostgresFailure.AUTHENTICATION;
    }
}
