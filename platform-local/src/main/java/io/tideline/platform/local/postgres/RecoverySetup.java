package io.tideline.platform.local.postgres;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.RecoverySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a data directory that holds an unpacked base backup into one that starts in archive recovery:
 * the recovery settings in {@code postgresql.auto.conf}, Tideline's {@code pg_hba.conf},
 * {@code recovery.signal}, and the server user's ownership of every file.
 *
 * <p>Settings in force only while the instance recovers ({@link RecoverySettings#recoveryOnly}, for replay
 * speed) go into {@code postgresql.auto.conf} on top of the instance's own; the file as it is without them is
 * kept beside the data directory ({@value #OWN_AUTO_CONF}) and put back by {@link #restoreOwnSettings}.
 */
final class RecoverySetup {

    static final String RECOVERY_SIGNAL = "recovery.signal";
    /** {@code postgresql.auto.conf} without the recovery-only settings, beside {@code pgdata/} while they are in force. */
    static final String OWN_AUTO_CONF = "own.postgresql.auto.conf";
    private static final String AUTO_CONF = "postgresql.auto.conf";

    private RecoverySetup() {
    }

    /** As {@link #prepare(InstanceId, InstanceDirectory, InstanceRecord, RecoverySettings, String, PostgresNetwork, boolean)}, on loopback only, without TLS. */
    static void prepare(InstanceId id, InstanceDirectory dir, InstanceRecord record, RecoverySettings settings,
                        String serverMajor) throws IOException {
        prepare(id, dir, record, settings, serverMajor, PostgresNetwork.loopback(), false);
    }

    /** As below, without TLS. */
    static void prepare(InstanceId id, InstanceDirectory dir, InstanceRecord record, RecoverySettings settings,
                        String serverMajor, PostgresNetwork network) throws IOException {
        prepare(id, dir, record, settings, serverMajor, network, false);
    }

    /**
     * Prepares {@code dir}'s data directory, listening and letting in where {@code network} says; refuses one without
     * a cluster of the server's major version. With {@code tls} the copy serves its own certificate (files issued at
     * allocation, outside the data directory) and its {@code pg_hba.conf} takes TLS only. Without, {@code ssl=off}:
     * the backup's settings may name the source's certificate files, which are not the copy's.
     */
    static void prepare(InstanceId id, InstanceDirectory dir, InstanceRecord record, RecoverySettings settings,
                        String serverMajor, PostgresNetwork network, boolean tls) throws IOException {
        Path pgdata = dir.dataDir();
        requireBackupUnpacked(id, pgdata, serverMajor);
        // Left by a copy of a running cluster, these would make the server wait for a primary or a PID.
        Files.deleteIfExists(pgdata.resolve("postmaster.pid"));
        Files.deleteIfExists(pgdata.resolve("standby.signal"));
        Path conf = pgdata.resolve("postgresql.conf");
        if (!Files.exists(conf)) {
            // Packaged clusters keep it outside the data directory, so their backups lack it.
            Files.writeString(conf, "# created by Tideline: the backup had no postgresql.conf\n");
        }
        Path own = dir.path().resolve(OWN_AUTO_CONF);
        if (Files.exists(own)) {
            // Recovering again (the target lay after the archive's last commit): from the instance's own settings.
            Files.copy(own, pgdata.resolve(AUTO_CONF), StandardCopyOption.REPLACE_EXISTING);
        }
        Map<String, String> recovery = settings(settings, record.port());
        recovery.put("listen_addresses", network.listenAddresses());
        recovery.putAll(tls ? InstanceTls.settings(dir) : InstanceTls.offSettings());
        dir.writeAutoConf(recovery, RecoverySetup::isReplaced);
        if (settings.recoveryOnly().isEmpty()) {
            Files.deleteIfExists(own);
        } else {
            Files.copy(pgdata.resolve(AUTO_CONF), own, StandardCopyOption.REPLACE_EXISTING);
            dir.writeAutoConf(settings.recoveryOnly(), key -> false);
        }
        dir.writeHba(record.credentials());
        dir.appendHba(network.hbaLines(record.credentials().replicationUser()));
        if (tls) {
            dir.requireTlsInHba();
        }
        Files.writeString(pgdata.resolve(RECOVERY_SIGNAL), "");
        dir.fixDataDirOwnership();
    }

    /**
     * What recovery runs with: the instance's port and loopback-only listening, the restore command,
     * the target if any (time, LSN, xid, restore point or immediate, with its inclusiveness), the latest timeline, promotion at the target, and no archiving.
     */
    static Map<String, String> settings(RecoverySettings settings, int port) {
        Map<String, String> recovery = new LinkedHashMap<>();
        recovery.put("port", Integer.toString(port));
        recovery.put("listen_addresses", LocalPostgresProvisioner.HOST);
        recovery.put("unix_socket_directories", "");
        recovery.put("archive_mode", "off");
        recovery.put("restore_command", settings.restoreCommand());
        recovery.putAll(settings.postgresTargetSettings());
        recovery.put("recovery_target_timeline", "latest");
        recovery.put("recovery_target_action", "promote");
        return recovery;
    }

    /**
     * Puts the instance's own {@code postgresql.auto.conf} back in place of the one with the recovery-only
     * settings; false when it recovered with its own settings (nothing to put back). The server reads it at
     * its next start.
     */
    static boolean restoreOwnSettings(InstanceDirectory dir) throws IOException {
        Path own = dir.path().resolve(OWN_AUTO_CONF);
        if (!Files.exists(own)) {
            return false;
        }
        Files.copy(own, dir.dataDir().resolve(AUTO_CONF), StandardCopyOption.REPLACE_EXISTING);
        dir.writeAutoConf(Map.of(), key -> false); // the server user's, mode 0600
        Files.delete(own);
        return true;
    }

    /** Keys the backup may carry that must go: the server accepts only one recovery target, and must not follow a primary. */
    static boolean isReplaced(String key) {
        return key.startsWith("recovery_target") || key.equals("primary_conninfo") || key.equals("primary_slot_name");
    }

    private static void requireBackupUnpacked(InstanceId id, Path pgdata, String serverMajor) throws IOException {
        Path versionFile = pgdata.resolve("PG_VERSION");
        if (!Files.exists(versionFile)) {
            throw new IllegalStateException("the data directory of instance " + id + " holds no cluster (" + versionFile
                    + " missing): unpack a base backup into " + pgdata + " first");
        }
        String backupMajor = Files.readString(versionFile).strip();
        if (!backupMajor.equals(serverMajor)) {
            throw new IllegalStateException("the backup in " + pgdata + " is from PostgreSQL " + backupMajor
                    + " but this provisioner runs PostgreSQL " + serverMajor);
        }
    }
}
