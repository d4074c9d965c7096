package io.tideline.core.instance;

import io.tideline.core.ids.InstanceId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Creates, runs and removes PostgreSQL instances. Every implementation (module {@code platform-local}
 * runs clusters on the service's own machine; a remote agent, containers or a cloud API would run them
 * elsewhere) keeps the same promises:
 *
 * <ul>
 *   <li><b>Ready means ready.</b> {@link #create} and {@link #start} return only once the server
 *       accepts connections from the admin role; a failure throws {@link InstanceOperationException}
 *       with what the server said, and {@link #create} leaves nothing behind when it fails.</li>
 *   <li><b>Backup-ready.</b> A created instance has {@code wal_level=replica}, room for WAL senders
 *       and replication slots, {@code archive_mode=off} (WAL is streamed, never archived), a superuser
 *       and a {@code REPLICATION} role whose random passwords are in the secret store under
 *       {@link InstanceCredentials#standard}, and accepts both over TCP with SCRAM only.</li>
 *   <li><b>Durable state.</b> What exists is read back from storage, so a new process (after
 *       {@code tideline down}/{@code up}) finds, starts and destroys the instances an earlier one made.</li>
 *   <li><b>Idempotent lifecycle.</b> Starting a running instance, stopping a stopped one and
 *       destroying an unknown one are no-ops. Every operation is bounded in time.</li>
 *   <li><b>Never the source.</b> A restore goes into a NEW instance: {@link #allocate} refuses an id
 *       that exists, so no call here can overwrite another instance's data.</li>
 * </ul>
 *
 * <p>Restore flow: {@link #allocate} an empty data directory, unpack a base backup into it,
 * copy the source's passwords to the new instance's secret references (the roles and their
 * passwords come with the backup), {@link #startRecovering}, then {@link #awaitPromotion}, then
 * {@link #finishRecovery}.
 */
public interface InstanceProvisioner {

    /** Creates and starts a new instance with default settings; fails if {@code id} exists. */
    default ProvisionedInstance create(InstanceId id) {
        return create(id, InstanceSpec.defaults());
    }

    /** Creates and starts a new instance; fails if {@code id} exists. */
    ProvisionedInstance create(InstanceId id, InstanceSpec spec);

    /** Starts the instance's server (waiting until it accepts connections); a no-op if it runs. */
    ProvisionedInstance start(InstanceId id);

    /** Stops the server, letting it finish a shutdown checkpoint; a no-op if it is not running. */
    void stop(InstanceId id);

    /** Stops the server and removes its data and its secrets; a no-op for an unknown id. */
    void destroy(InstanceId id);

    Optional<ProvisionedInstance> find(InstanceId id);

    /** The instance, or an {@link IllegalArgumentException} naming the unknown id. */
    default ProvisionedInstance get(InstanceId id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("no instance " + id));
    }

    /** Every instance this provisioner knows, ordered by id. */
    List<ProvisionedInstance> list();

    /** What the instance's server is doing; empty for an unknown id. */
    Optional<InstanceState> state(InstanceId id);

    /**
     * Reserves a new instance for a restore, with {@link InstanceCredentials#standard} secret references:
     * an empty data directory and a port. Fails if {@code id} exists.
     */
    default AllocatedInstance allocate(InstanceId id) {
        return allocate(id, InstanceCredentials.standard(id));
    }

    /**
     * Reserves a new instance for a restore whose roles and secret references are {@code credentials}
     * (the roles of the backup's source; the caller stores their passwords under these references).
     */
    AllocatedInstance allocate(InstanceId id, InstanceCredentials credentials);

    /**
     * Starts an allocated instance whose data directory now holds a base backup, in archive recovery
     * with {@code settings}, and returns without waiting for recovery to end. Whatever the caller
     * unpacked is made the server's first (ownership, permissions), so the caller may unpack as any user.
     */
    ProvisionedInstance startRecovering(InstanceId id, RecoverySettings settings);

    /**
     * Waits until the recovering instance has promoted and accepts writes. Fails early, with the
     * server log's tail, if the server stops (e.g. WAL it needs could not be fetched, or the target
     * lies beyond the WAL available), and after {@code timeout} otherwise.
     */
    ProvisionedInstance awaitPromotion(InstanceId id, Duration timeout);

    /**
     * Makes a promoted restored instance a normal one before anybody uses it: the settings that were in force
     * only for its recovery ({@link RecoverySettings#recoveryOnly}) are replaced by its own again, and
     * everything it wrote is made durable (recovery may have run with {@code fsync=off}). Returns once the
     * instance accepts connections with its own settings. A no-op when it recovered with its own settings.
     */
    ProvisionedInstance finishRecovery(InstanceId id);

    /**
     * Gives both roles new random passwords and stores them under the instance's references; used
     * after a restore so the new instance no longer opens with its source's passwords.
     */
    void rotatePasswords(InstanceId id);

    /**
     * Runs the code paths of a restore's allocation and recovery start once, making nothing (the JVM's first
     * restore otherwise pays for loading and compiling them, seconds on a loaded machine: issue 18.2). Called in the
     * background when a restore service starts; never throws. By default nothing to warm.
     */
    default void warmUp() {
    }
}
