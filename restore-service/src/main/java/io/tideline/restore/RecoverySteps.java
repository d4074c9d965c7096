package io.tideline.restore;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StorageProvisioner;
import io.tideline.restore.PromotedInstanceCheck.Verified;
import io.tideline.restore.wal.WalServer;
import io.tideline.schemas.RestorePhase;
import jakarta.inject.Singleton;

/**
 * Steps 1-6 of a restore on THIS machine (the {@code local} platform), shared by a user's restore
 * ({@link RestoreProcess}, which then registers the new instance) and a restore drill ({@link DrillRestores},
 * which checks the copy and removes it): the new instance's bucket and the source's passwords under the new
 * instance's references (the roles come inside the backup), then the host's steps ({@link HostRecovery}:
 * allocate, download and unpack the backup, recover with WAL served from the source bucket, verify that the
 * promoted server answers). Where the progress goes is the caller's ({@link Progress}): a user's restore
 * publishes it, a drill only times its phases.
 */
@Singleton
final class RecoverySteps {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RecoverySteps.class);

    private final StorageProvisioner storage;
    private final SecretStore secrets;
    private final ObjectStores stores;
    private final HostRecovery host;
    private final java.time.Duration promotionTimeout;

    RecoverySteps(RestoreConfiguration config, InstanceProvisioner instances, StorageProvisioner storage, SecretStore secrets,
                  ObjectStores stores, WalServer walServer, WalEndpoint walEndpoint, RecoveryTuning tuning) {
        this.storage = storage;
        this.secrets = secrets;
        this.stores = stores;
        this.promotionTimeout = config.promotionTimeout();
        this.host = new HostRecovery(instances, secrets, walServer, walEndpoint::restoreCommand, config.downloadParallelism(),
                config.progressInterval(), tuning);
    }

    /** Where a restore's progress goes: called at every phase change and at the end of a phase's counting. */
    @FunctionalInterface
    interface Progress extends HostRecovery.Progress {
    }

    /** What this run made, so a failure removes exactly that. */
    static final class Made {
        boolean bucket;
        boolean server;
        boolean registered;
    }

    /** The new instance, recovered and promoted, and what recovery took to get there. */
    record Recovered(BucketGrant grant, BackupManifest manifest, Verified verified, HostRecovery.WalFetched fetched) {
    }

    /**
     * Steps 1-6 as a script; each step reports its phase, and {@code made} records what exists so that a failure
     * removes exactly that (the caller removes it: the WAL session is closed here in every case).
     */
    Recovered recover(RestorePlan plan, RestoreTracker tracker, Made made, Progress progress) {
        BucketGrant grant = provisionBucket(plan, tracker, made, progress);
        InstanceCredentials credentials = credentialsOf(plan);
        HostRecovery.Result result = host.recover(hostPlan(plan, credentials, promotionTimeout),
                stores.forInstance(plan.sourceId()), tracker, progress::report, () -> {
                    made.server = true;
                    copySourcePasswords(plan.source(), credentials);
                });
        return new Recovered(grant, result.manifest(), result.verified(), result.fetched());
    }

    /** Step 1: the new instance's bucket (idempotent: the name was free, so whatever exists under it is ours). */
    private BucketGrant provisionBucket(RestorePlan plan, RestoreTracker tracker, Made made, Progress progress) {
        tracker.enter(RestorePhase.PROVISIONING, null, "provisioning instance " + plan.newInstance() + " and its bucket");
        progress.report(tracker);
        made.bucket = true;
        long started = System.nanoTime();
        BucketGrant grant = storage.provision(plan.newInstance());
        LOG.info("restore {}: bucket of {} provisioned in {} ms", plan.restoreId(), plan.newInstance(), (System.nanoTime() - started) / 1_000_000);
        return grant;
    }

    /** The new instance opens with the SOURCE's roles (they come inside the backup) under its own secret references. */
    static InstanceCredentials credentialsOf(RestorePlan plan) {
        RegisteredInstance source = plan.source();
        // An adopted server may use one role for both jobs; the copy then gets its own replication role.
        return InstanceCredentials.forCopy(plan.newInstance(), source.superuser(), source.replicationUser());
    }

    /** ... holding the source's passwords until they are rotated (step 7). */
    void copySourcePasswords(RegisteredInstance source, InstanceCredentials credentials) {
        secrets.put(credentials.adminSecret(), secrets.get(source.superuserSecret()));
        secrets.put(credentials.replicationSecret(), secrets.get(source.replicationSecret()));
    }

    /** What the host needs to know of the plan. */
    static HostRecovery.Plan hostPlan(RestorePlan plan, InstanceCredentials credentials, java.time.Duration promotionTimeout) {
        return new HostRecovery.Plan(plan.restoreId(), plan.newInstance(), credentials, plan.layout(), plan.backupEntry().id(),
                plan.requiredWal(), plan.target(), plan.backup().walReachedLsn(), promotionTimeout);
    }
}
