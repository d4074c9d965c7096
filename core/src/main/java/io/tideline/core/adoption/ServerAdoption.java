package io.tideline.core.adoption;

import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.StorageProvisioner;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adopting an existing PostgreSQL server Tideline did not make, and letting it go again — the Java API
 * behind {@code tideline instance register / check / remove} for any client (another host's harness, a
 * service). No provisioning: the server is checked ({@link ServerProbe}, {@link ServerCheck}), then its
 * passwords go into the secret store, it gets its own bucket with credentials scoped to it, and an
 * {@code InstanceRegistered} with {@code adopted = true} (secret references only) is published; from then on
 * it is archived and backed up like any other instance.
 *
 * <p>A registration that fails its check is refused with every reason ({@link AdoptionRefused}) before
 * anything is made; a step that fails later undoes the earlier ones, so a refusal leaves no bucket, no
 * secret and no event.
 */
public final class ServerAdoption {

    private static final Logger LOG = LoggerFactory.getLogger(ServerAdoption.class);
    /** How long a check waits for each connection to the server. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final StorageProvisioner storage;
    private final SecretStore secrets;
    private final EventPublisher publisher;
    private final Clock clock;
    private final ServerProbe probe;

    public ServerAdoption(StorageProvisioner storage, SecretStore secrets, EventPublisher publisher, Clock clock, ServerProbe probe) {
        this.storage = storage;
        this.secrets = secrets;
        this.publisher = publisher;
        this.clock = clock;
        this.probe = probe;
    }

    /** Checks the server, without making anything. */
    public CheckReport check(ExistingServer server) {
        return probe.check(server);
    }

    /** Checks a registered instance again, with the passwords from the secret store. */
    public CheckReport check(RegisteredInstance instance) {
        return probe.check(serverOf(instance, secrets));
    }

    /**
     * Registers {@code server} as instance {@code id}: check, passwords, bucket, registration — in that order.
     *
     * @throws AdoptionRefused       the check found problems (nothing was made)
     * @throws IllegalStateException a kept bucket of an earlier instance has this id (nothing was made)
     */
    public RegisteredInstance adopt(InstanceId id, String name, ExistingServer server, InstanceOnboarding.Options options) {
        CheckReport report = probe.check(server);
        if (!report.passed()) {
            throw new AdoptionRefused(name, report);
        }
        ServerFacts.Settings settings = report.settings().orElseThrow();
        BucketGrant grant = BucketGrant.of(id);
        if (secrets.find(grant.accessKeyRef()).isPresent()) {
            // Undoing a failed step would delete that bucket's backups: refuse instead of reusing it.
            throw new IllegalStateException("a bucket of an earlier instance " + id + " is kept (" + grant.bucket()
                    + "): purge it (tideline instance remove " + id + " --purge) or choose another name");
        }
        InstanceCredentials refs = InstanceCredentials.standard(id);
        SecretRef adminRef = refs.adminSecret();
        SecretRef replicationRef = server.oneRole() ? adminRef : refs.replicationSecret();
        try {
            secrets.put(adminRef, server.adminPassword());
            secrets.put(replicationRef, server.replicationPassword());
            // the CA beside the passwords: from now on every Tideline connection to it is verify-full against it
            server.tls().caPem().ifPresent(ca -> secrets.put(PostgresTls.caSecret(id), ca));
            storage.provision(id);
            RegisteredInstance instance = new RegisteredInstance(id, name, server.host(), server.port(), server.database(),
                    server.adminUser(), adminRef, server.replicationUser(), replicationRef,
                    grant.bucket(), grant.accessKeyRef(), grant.secretKeyRef(), settings.majorVersion(), settings.walSegmentSize(),
                    options.backupWindowStartMinuteUtc(), options.retentionDays(), Optional.empty(), clock.instant(),
                    options.restoreDrill(), true, options.rtoBudget());
            publisher.publishAndWait(Topics.INSTANCES, id.value(), instance.toEvent(UUID.randomUUID(), clock.instant()));
            LOG.info("adopted existing server {} as instance {} ({}), bucket {}", server, id, name, grant.bucket());
            return instance;
        } catch (RuntimeException e) {
            undo(id, adminRef, replicationRef);
            throw e;
        }
    }

    /**
     * Lets an adopted server go: unregistered (tombstone: its stream and backups stop), Tideline's replication
     * slot dropped from it (else the server would keep WAL for a reader that never comes back), its stored
     * passwords deleted. The server itself and its data are the owner's and stay; the bucket is the caller's
     * choice. Returns what happened to the slot.
     */
    public SlotRelease.Result release(RegisteredInstance instance, Duration slotWait) {
        if (!instance.adopted()) {
            throw new IllegalArgumentException(instance.id() + " is not an adopted server");
        }
        Optional<ExistingServer> server = secrets.find(instance.superuserSecret()).isPresent()
                && secrets.find(instance.replicationSecret()).isPresent()
                ? Optional.of(serverOf(instance, secrets)) : Optional.empty();
        publisher.tombstoneAndWait(Topics.INSTANCES, instance.id().value());
        SlotRelease.Result slot = server.map(s -> new SlotRelease(probe.slotName(), slotWait).drop(s, probe))
                .orElseGet(() -> new SlotRelease.Result(SlotRelease.Result.State.LEFT, "its passwords are not in this secret store; "
                        + "drop it with SELECT pg_drop_replication_slot('" + probe.slotName() + "')"));
        secrets.delete(instance.superuserSecret());
        secrets.delete(instance.replicationSecret());
        secrets.delete(PostgresTls.caSecret(instance.id()));
        LOG.info("released adopted server {} ({}:{}): unregistered, slot {}", instance.id(), instance.host(), instance.port(), slot);
        return slot;
    }

    /** The server of a registration, with its passwords from {@code secrets}. */
    public static ExistingServer serverOf(RegisteredInstance instance, SecretStore secrets) {
        return new ExistingServer(instance.host(), instance.port(), instance.database(), instance.superuser(),
                secrets.get(instance.superuserSecret()), instance.replicationUser(), secrets.get(instance.replicationSecret()),
                PostgresTls.forInstance(secrets, instance.id()));
    }

    private void undo(InstanceId id, SecretRef adminRef, SecretRef replicationRef) {
        try {
            storage.deprovision(id);
        } catch (RuntimeException e) {
            LOG.warn("could not remove the bucket of {} after a failed registration: {}", id, e.getMessage());
        }
        try {
            secrets.delete(adminRef);
            secrets.delete(replicationRef);
            secrets.delete(PostgresTls.caSecret(id));
        } catch (RuntimeException e) {
            LOG.warn("could not delete the stored passwords of {} after a failed registration: {}", id, e.getMessage());
        }
    }
}
