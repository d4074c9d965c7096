package io.tideline.platform.local.postgres;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.secrets.SecretRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What {@link LocalPostgresProvisioner} keeps about an instance in {@code instance.json} beside its
 * data directory, so that another process finds it. Holds references to secrets, never values.
 *
 * @param origin    {@code initdb} for a created instance, {@code restore} for an allocated one
 * @param recovered false until a restored instance was first started (ALLOCATED until then)
 * @param createdAt UTC ISO-8601
 * @param osUser    the OS user the server runs as and its files belong to ({@link InstanceUsers}); absent in
 *                  records made before instances had users of their own, which run as the configured one
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record InstanceRecord(
        String id,
        int port,
        String origin,
        boolean recovered,
        String adminUser,
        String adminSecret,
        String replicationUser,
        String replicationSecret,
        String postgresVersion,
        String createdAt,
        String osUser) {

    static final String FILE_NAME = "instance.json";
    static final String ORIGIN_INITDB = "initdb";
    static final String ORIGIN_RESTORE = "restore";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static InstanceRecord of(InstanceId id, int port, String origin, InstanceCredentials credentials, String version, String createdAt,
                             String osUser) {
        return new InstanceRecord(id.value(), port, origin, false, credentials.adminUser(), credentials.adminSecret().value(),
                credentials.replicationUser(), credentials.replicationSecret().value(), version, createdAt, osUser);
    }

    InstanceId instanceId() {
        return InstanceId.of(id);
    }

    InstanceCredentials credentials() {
        return new InstanceCredentials(adminUser, SecretRef.of(adminSecret), replicationUser, SecretRef.of(replicationSecret));
    }

    /** The server's major version ({@code 15} of {@code 15.18}). */
    int majorVersion() {
        int dot = postgresVersion.indexOf('.');
        return Integer.parseInt(dot < 0 ? postgresVersion : postgresVersion.substring(0, dot));
    }

    boolean awaitsBackup() {
        return ORIGIN_RESTORE.equals(origin) && !recovered;
    }

    InstanceRecord withPort(int newPort) {
        return new InstanceRecord(id, newPort, origin, recovered, adminUser, adminSecret, replicationUser, replicationSecret,
                postgresVersion, createdAt, osUser);
    }

    InstanceRecord asRecovered() {
        return new InstanceRecord(id, port, origin, true, adminUser, adminSecret, replicationUser, replicationSecret,
                postgresVersion, createdAt, osUser);
    }

    static Optional<InstanceRecord> read(Path instanceDir) {
        Path file = instanceDir.resolve(FILE_NAME);
        try {
            InstanceRecord record = JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), InstanceRecord.class);
            record.instanceId();
            record.credentials();
            return Optional.of(record);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("unreadable instance record " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes atomically (temp file + rename), so a crash never leaves a torn record. */
    void write(Path instanceDir) {
        Path file = instanceDir.resolve(FILE_NAME);
        try {
            Path tmp = Files.createTempFile(instanceDir, ".instance-", ".json");
            Files.writeString(tmp, JSON.writeValueAsString(this), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
