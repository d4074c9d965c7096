package io.tideline.fleet.hosts;

import io.tideline.fleet.net.Host;
import io.tideline.fleet.net.Shell;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One query run ON a host ({@code psql} inside its namespace): how the test reads a server that listens
 * on its host's loopback only, such as one the {@code local} platform made on a service host for a restore.
 */
public final class HostSql {

    private static final Shell SHELL = new Shell(Duration.ofSeconds(60));

    private HostSql() {
    }

    /** The single value {@code sql} returns, as text. */
    public static String query(Host host, String address, int port, String user, String password, String database, String sql) {
        Shell.Result result = SHELL.run(host.exec(List.of("runuser", "-u", "postgres", "--", DbHost.BIN.resolve("psql").toString(),
                "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
                "host=" + address + " port=" + port + " user=" + user + " dbname=" + database + " connect_timeout=10",
                "-c", sql)), Map.of("PGPASSWORD", password));
        if (!result.ok()) {
            throw new IllegalStateException("psql on " + host + " failed: " + result.output());
        }
        return result.output().strip();
    }
}
