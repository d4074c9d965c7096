package io.tideline.platform.local.postgres;

import io.tideline.core.postgres.PostgresErrors;
import io.tideline.core.postgres.PostgresFailure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Logs in to an instance on the loopback address, with short timeouts: every caller polls or retries,
 * and a login on loopback costs little. No TLS: the servers listen on 127.0.0.1 only.
 */
final class InstanceConnector {

    Connection connect(InstanceRecord record, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "10");
        props.setProperty("socketTimeout", "60");
        props.setProperty("sslmode", "disable");
        props.setProperty("ApplicationName", "tideline-provisioner");
        return DriverManager.getConnection("jdbc:postgresql://" + LocalPostgresProvisioner.HOST + ":" + record.port() + "/"
                + LocalPostgresProvisioner.DATABASE, props);
    }

    /** A refused login (SQLSTATE class 28, core's {@link PostgresFailure#AUTHENTICATION}): a wrong password does not mend by waiting. */
    static boolean isAuthenticationFailure(SQLException e) {
        return PostgresErrors.classify(e) == PostgresFailure.AUTHENTICATION;
    }
}
