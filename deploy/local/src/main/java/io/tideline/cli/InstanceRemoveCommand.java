package io.tideline.cli;

import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.instance.LocalOnboarding;
import io.tideline.core.adoption.ServerAdoption;
import io.tideline.core.adoption.ServerProbe;
import io.tideline.core.adoption.SlotRelease;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.encryption.KeyringKeyService;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "remove", mixinStandardHelpOptions = true,
        description = {"Remove an instance: it is unregistered (no more backups, WAL archiving stops), and its PostgreSQL "
                + "server is stopped and deleted with its data and passwords.",
                "An adopted server ('instance register') is only unregistered: Tideline's replication slot is dropped from it, "
                        + "its passwords are deleted from the secret store, and the server keeps running with its data.",
                "Its bucket (backups and WAL) is kept, unless --purge: then it is deleted now, after a confirmation "
                        + "(--yes skips it, for scripts).",
                "--shred destroys the instance's encryption keys: every backup and WAL object of it, and every copy of "
                        + "them anywhere, can never be read again (crypto-shredding)."})
final class InstanceRemoveCommand implements Callable<Integer> {

    /** How long the removal of an adopted server waits for the archiver to let go of its slot before it says so. */
    private static final java.time.Duration SLOT_RELEASE_WAIT = java.time.Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(paramLabel = "NAME", description = "The instance's name or id.")
    String name;

    @Option(names = "--purge", description = "Also delete its bucket (every backup and WAL segment) and the bucket's credentials, now.")
    boolean purge;

    @Option(names = "--shred", description = "Also destroy its encryption keys, now: its backups, wherever copies of them "
            + "are, can never be restored (crypto-shredding).")
    boolean shred;

    @Option(names = "--yes", description = "Do not ask for confirmation (needed for --purge when no one can answer).")
    boolean yes;

    @Override
    public Integer call() {
        TidelineCli cli = TidelineCli.of(spec);
        Deployment target = deployment.resolve();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (KafkaAccess kafka = KafkaAccess.of(target);
             LocalOnboarding local = LocalOnboarding.of(target, kafka.publisher(), cli.clock())) {
            java.util.Optional<RegisteredInstance> registered = kafka.instances().find(name);
            if (registered.isEmpty() && (purge || shred)) {
                return purgeKeptBucket(cli, local, out, err);
            }
            RegisteredInstance instance = registered.orElseGet(() -> kafka.instances().require(name));
            if ((purge || shred) && !yes) {
                confirm(cli, err, instance.name(), instance.bucket());
            }
            err.println("Removing instance " + instance.name() + " ...");
            err.flush();
            if (instance.adopted()) {
                return releaseAdopted(cli, target, kafka, local, instance, out);
            }
            // Unregistered first (tombstone): the scheduler stops its backups and the archiver its WAL stream before
            // the server goes, so nothing reports the vanished server as a failure or a WAL gap for long.
            try {
                kafka.publisher().tombstoneAndWait(Topics.INSTANCES, instance.id().value());
            } catch (EventPublisher.PublishException e) {
                throw NoAnswer.isNoAnswer(e) ? kafka.noAnswer(e) : e;
            }
            local.provisioner().destroy(instance.id());
            if (purge) {
                local.storage().deprovision(instance.id());
            }
            Optional<Instant> shredded = shred ? Optional.of(shredKeys(local, cli, instance.id())) : Optional.empty();
            out.println("Instance " + instance.name() + " is removed: unregistered, its server and data deleted.");
            shredded.ifPresent(at -> out.println("  keys:     destroyed (crypto-shredded) at " + at
                    + ": its backups and WAL, and any copy of them, can never be read again (--shred)"));
            out.println(purge
                    ? "  bucket:   " + instance.bucket() + " deleted with every backup and WAL segment (--purge)."
                    : "  bucket:   " + instance.bucket() + " kept with its backups and WAL (delete it with "
                    + "./tideline instance remove " + instance.name() + " --purge, which also works after this removal)");
        }
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * An adopted server is its owner's: it is only unregistered, Tideline's replication slot is dropped from it
     * (else it would keep WAL for nobody) and its stored passwords deleted. Its data directory, its roles and
     * the server itself are not touched.
     */
    private int releaseAdopted(TidelineCli cli, Deployment target, KafkaAccess kafka, LocalOnboarding local,
                               RegisteredInstance instance, PrintWriter out) {
        ServerAdoption adoption = new ServerAdoption(local.storage(), local.secrets(), kafka.publisher(), cli.clock(),
                new ServerProbe(target.answerTimeout()));
        SlotRelease.Result slot;
        try {
            slot = adoption.release(instance, SLOT_RELEASE_WAIT);
        } catch (EventPublisher.PublishException e) {
            throw NoAnswer.isNoAnswer(e) ? kafka.noAnswer(e) : e;
        }
        if (purge) {
            local.storage().deprovision(instance.id());
        }
        Optional<Instant> shredded = shred ? Optional.of(shredKeys(local, cli, instance.id())) : Optional.empty();
        out.println("Instance " + instance.name() + " is removed: unregistered. Its server at " + instance.host() + ":"
                + instance.port() + " was adopted and is its owner's: it keeps running with its data.");
        out.println("  slot:     " + (slot.state() == SlotRelease.Result.State.LEFT
                ? "Tideline's replication slot is LEFT on the server: " + slot.detail()
                : "Tideline's replication slot " + (slot.state() == SlotRelease.Result.State.DROPPED ? "dropped" : "was not there")));
        out.println(purge
                ? "  bucket:   " + instance.bucket() + " deleted with every backup and WAL segment (--purge)."
                : "  bucket:   " + instance.bucket() + " kept with its backups and WAL (delete it with "
                + "./tideline instance remove " + instance.name() + " --purge, which also works after this removal)");
        shredded.ifPresent(at -> out.println("  keys:     destroyed (crypto-shredded) at " + at
                + ": its backups and WAL, and any copy of them, can never be read again (--shred)"));
        out.flush();
        return ExitCodes.OK;
    }

    /** {@code --purge} or {@code --shred} of an instance removed earlier without it: only its bucket (and keys) are left. */
    private int purgeKeptBucket(TidelineCli cli, LocalOnboarding local, PrintWriter out, PrintWriter err) {
        InstanceId id;
        try {
            id = InstanceId.of(name);
        } catch (IllegalArgumentException e) {
            throw CliException.failure("unknown instance '" + name + "'");
        }
        BucketGrant grant = BucketGrant.of(id);
        boolean hasKeys = local.secrets().find(KeyringKeyService.keyringRef(id)).isPresent();
        if (local.secrets().find(grant.accessKeyRef()).isEmpty() && !(shred && hasKeys)) {
            throw CliException.failure("unknown instance '" + name + "' (not registered, and no bucket of it is kept)");
        }
        if (!yes) {
            confirm(cli, err, name, grant.bucket());
        }
        if (shred) {
            out.println("Keys of the removed instance " + name + " destroyed (crypto-shredded) at " + shredKeys(local, cli, id)
                    + ": its backups and WAL, and any copy of them, can never be read again.");
        }
        if (!purge) {
            out.flush();
            return ExitCodes.OK;
        }
        local.storage().deprovision(id);
        out.println("Bucket " + grant.bucket() + " of the removed instance " + name + " deleted with every backup and WAL segment.");
        out.flush();
        return ExitCodes.OK;
    }

    /** Destroys the instance's key-encryption keys (the embedded keyring); returns when. */
    private static Instant shredKeys(LocalOnboarding local, TidelineCli cli, InstanceId id) {
        KeyringKeyService keys = new KeyringKeyService(local.secrets(), cli.clock(), new SecureRandom());
        keys.destroy(id);
        return keys.destroyedAt(id).orElseThrow();
    }

    /** Asks to type the name (a y/N is answered by reflex); refuses when no one can answer. */
    private void confirm(TidelineCli cli, PrintWriter err, String instance, String bucket) {
        if (!cli.interactive()) {
            throw CliException.usage((purge ? "--purge deletes" : "--shred destroys") + " every backup of " + instance + " now: confirm with --yes "
                    + "(no terminal to ask on)");
        }
        err.print("This deletes " + instance + (purge ? " and EVERY backup and WAL segment in bucket " + bucket : "")
                + (shred ? " and destroys its encryption keys (no copy of its backups can ever be read)" : "")
                + ": nothing can be restored afterwards.\nType the instance name to confirm: ");
        err.flush();
        String answer;
        try {
            answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !answer.strip().equals(instance)) {
            throw CliException.refused("not confirmed: nothing was removed");
        }
    }
}
