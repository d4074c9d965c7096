package io.tideline.cli;

import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.output.Json;
import io.tideline.core.changes.ChangeIndexReader;
import io.tideline.core.changes.IndexedTransaction;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StorageException;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "changes", mixinStandardHelpOptions = true,
        description = {"The undo finder: list the transactions that destroyed data (rows deleted or updated, tables dropped "
                + "or truncated, databases dropped), oldest first, from the index the archiver keeps beside the WAL.",
                "Undo one by restoring to just before it: ./tideline restore INSTANCE --to xid:<xid> --exclusive"})
final class ChangesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(paramLabel = "INSTANCE", description = "The instance's name or id.")
    String instanceName;

    @Option(names = "--since", paramLabel = "TIME", description = "Only transactions committed at or after this UTC time (2026-11-05T10:15:30Z).")
    String since;

    @Option(names = "--min-rows", paramLabel = "N", defaultValue = "0",
            description = "Only transactions that deleted or updated at least N rows of one table; drops and truncates are always listed.")
    long minRows;

    @Option(names = "--json", description = "Print JSON instead of lines.")
    boolean json;

    @Override
    public Integer call() {
        Optional<Instant> from = parseSince();
        if (minRows < 0) {
            throw CliException.usage("--min-rows: must be 0 or more, not " + minRows);
        }
        Deployment target = deployment.resolve();
        RegisteredInstance instance;
        try (KafkaAccess kafka = KafkaAccess.of(target)) {
            instance = kafka.instances().require(instanceName);
        }
        ChangeIndexReader.Result read = read(target, instance, from);
        List<IndexedTransaction> listed = read.transactions().stream()
                .filter(IndexedTransaction::userVisible)
                .filter(t -> t.destroyedWhole() || t.largestRowCount() >= Math.max(1, minRows))
                .toList();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instance", instance.id().value());
            m.put("name", instance.name());
            m.put("transactions", listed.stream().map(ChangesCommand::asJson).toList());
            m.put("problems", read.problems());
            Json.print(out, m);
            return ExitCodes.OK;
        }
        out.println("Transactions of " + instance.name() + " that destroyed data, oldest first; times in UTC.");
        if (listed.isEmpty()) {
            out.println("  none indexed" + (from.isPresent() ? " since " + from.get() : "") + (minRows > 0 ? " with " + minRows + " rows or more" : "") + ".");
        }
        listed.forEach(t -> out.println("  " + t.sentence()));
        if (!listed.isEmpty()) {
            IndexedTransaction last = listed.get(listed.size() - 1);
            out.println("Restore to just before one (a new instance): ./tideline restore " + instance.name() + " --to xid:" + last.xid() + " --exclusive");
        }
        read.problems().forEach(p -> out.println("note: " + p));
        out.flush();
        return ExitCodes.OK;
    }

    private Optional<Instant> parseSince() {
        if (since == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(since));
        } catch (DateTimeParseException e) {
            throw CliException.usage("--since: '" + since + "' is not a time: use UTC ISO-8601 such as 2026-11-05T10:15:30Z");
        }
    }

    /** The index lives in the instance's bucket: read with the instance's own credentials, as {@code backups} does. */
    private ChangeIndexReader.Result read(Deployment target, RegisteredInstance instance, Optional<Instant> from) {
        if (target.s3().isEmpty()) {
            throw new CliException(ExitCodes.FAILURE, "the change index is in the instance's bucket, and no object store endpoint is known here");
        }
        DirectorySecretStore secrets = new DirectorySecretStore(target.home().secretsDir());
        if (secrets.find(instance.s3SecretKey()).isEmpty()) {
            throw new CliException(ExitCodes.FAILURE, "the change index is in the bucket " + instance.bucket()
                    + ", whose keys are not on this machine (run this where the deployment's home is)");
        }
        try (ObjectStores stores = new ObjectStores(target.storeSettings(), secrets, TidelineCli.of(spec).clock())) {
            return new ChangeIndexReader(BucketLayout.forSegmentSize(instance.walSegmentSize())).read(stores.forInstance(instance.id()), from);
        } catch (StorageException e) {
            throw target.storeFailure(e);
        }
    }

    private static Map<String, Object> asJson(IndexedTransaction t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("xid", t.xid());
        m.put("committedAt", t.committedAt().toString());
        m.put("commitEndLsn", t.commitEnd().toString());
        m.put("timeline", t.timeline());
        m.put("countsComplete", t.countsComplete());
        m.put("summary", t.phrases());
        m.put("deleted", t.deleted().stream().filter(r -> r.relation().isUserData())
                .map(r -> Map.of("relation", r.relation().displayName(), "database", String.valueOf(r.relation().databaseName()), "rows", r.rows())).toList());
        m.put("updated", t.updated().stream().filter(r -> r.relation().isUserData())
                .map(r -> Map.of("relation", r.relation().displayName(), "database", String.valueOf(r.relation().databaseName()), "rows", r.rows())).toList());
        m.put("droppedRelations", t.droppedRelations().stream().filter(d -> d.relation().isUserData())
                .map(d -> Map.of("relation", d.relation().displayName(), "database", String.valueOf(d.relation().databaseName()),
                        "fate", d.fate().name().toLowerCase(java.util.Locale.ROOT))).toList());
        m.put("droppedDatabases", t.droppedDatabases().stream().map(d -> Map.of("oid", d.oid(), "name", d.displayName())).toList());
        m.put("undo", "xid:" + t.xid() + " exclusive");
        return m;
    }
}
