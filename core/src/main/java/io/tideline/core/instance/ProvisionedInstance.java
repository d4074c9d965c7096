package io.tideline.core.instance;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretRef;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to reach a provisioned PostgreSQL instance. Carries secret references, never passwords:
 * the values live in the {@link io.tideline.core.secrets.SecretStore}.
 *
 * @param id              the instance
 * @param host            where it listens (a loopback address for clusters on the service's machine)
 * @param port            its TCP port
 * @param database        the database to connect to ({@code postgres})
 * @param credentials     Tideline's own roles (superuser, replication) with their secret references; the
 *                        tenant's role is {@link #ownerUser()}
 * @param dataDir         the cluster's data directory, a path on the machine that runs the server
 * @param postgresVersion the server version that runs it, e.g. {@code 15.18}
 */
public record ProvisionedInstance(
        InstanceId id,
        String host,
        int port,
        String database,
        InstanceCredentials credentials,
        Path dataDir,
        String postgresVersion) {

    public ProvisionedInstance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(dataDir, "dataDir");
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is missing");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (database == null || database.isBlank()) {
            throw new IllegalArgumentException("database is missing");
        }
        if (postgresVersion == null || !postgresVersion.matches("\\d+(\\.\\d+)*")) {
            throw new IllegalArgumentException("not a PostgreSQL version: '" + postgresVersion + "'");
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:5433/postgres}; user and password go in the connection properties. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String adminUser() {
        return credentials.adminUser();
    }

    public SecretRef adminSecret() {
        return credentials.adminSecret();
    }

    public String replicationUser() {
        return credentials.replicationUser();
    }

    public SecretRef replicationSecret() {
        return credentials.replicationSecret();
    }

    /** The role handed to the instance's tenant: no superuser, no file access. */
    public String ownerUser() {
        return InstanceCredentials.OWNER_USER;
    }

    public SecretRef ownerSecret() {
        return InstanceCredentials.ownerSecret(id);
    }

    /** The major version ({@code 15}), which decides backup and WAL compatibility. */
    public int majorVersion() {
        int dot = postgresVersion.indexOf('.');
        return Integer.parseInt(dot < 0 ? postgresVersion : postgresVersion.substring(0, dot));
    }
}
