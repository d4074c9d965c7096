package io.tideline.archiver.wal;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.secrets.SecretStore;
import java.util.Objects;

/**
 * Where and as whom to open an instance's replication connection. The password is read from the
 * secret store when the connection opens (so a rotated password is picked up on reconnect) and is
 * never part of {@link #toString()}.
 */
public record ReplicationTarget(InstanceId instance, String host, int port, String database, String user,
                                PasswordSource password, PostgresTls tls) {

    /** Reads the password when needed. */
    @FunctionalInterface
    public interface PasswordSource {
        String get();
    }

    /** Without TLS. */
    public ReplicationTarget(InstanceId instance, String host, int port, String database, String user, PasswordSource password) {
        this(instance, host, port, database, user, password, PostgresTls.none());
    }

    public ReplicationTarget {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(password, "password");
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host of " + instance + " is missing");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port of " + instance + " out of range: " + port);
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("replication user of " + instance + " is missing");
        }
    }

    /** The replication role of a registered instance, its password and its TLS ({@link PostgresTls}) from {@code secrets}. */
    public static ReplicationTarget of(RegisteredInstance instance, SecretStore secrets) {
        return new ReplicationTarget(instance.id(), instance.host(), instance.port(), instance.database(),
                instance.replicationUser(), () -> secrets.get(instance.replicationSecret()),
                PostgresTls.forInstance(secrets, instance.id()));
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return instance + " (" + user + "@" + host + ":" + port + ")";
    }
}
