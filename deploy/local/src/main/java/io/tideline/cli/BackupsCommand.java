package io.tideline.cli;

import io.tideline.cli.backup.BackupHistory;
import io.tideline.cli.events.Event;
import io.tideline.cli.events.EventStream;
import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.output.Json;
import io.tideline.cli.output.Progress;
import io.tideline.cli.output.Table;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.window.TimeRange;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.secrets.DirectorySecretStore;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StorageException;
import io.tideline.core.window.RestorableWindow;
import java.util.Optional;
import io.tideline.runtime.DurationText;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "backups", mixinStandardHelpOptions = true,
        description = "Show an instance's backup history (newest first) and the window of moments it can be restored to (UTC).")
final class BackupsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(paramLabel = "INSTANCE", description = "The instance's name or id.")
    String instanceName;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    static final Duration READ_TIMEOUT = Duration.ofMinutes(1);

    private final List<String> notes = new ArrayList<>();

    /**
     * The window as the restore service will judge it: from the bucket itself, read with the instance's
     * own credentials. Empty when this machine cannot read it (no S3 endpoint known, or not the home that
     * holds the instance's keys); the window then comes from the events.
     */
    private Optional<RestorableWindow> bucketWindow(Deployment target, RegisteredInstance instance) {
        if (target.s3().isEmpty()) {
            notes.add("window computed from the events (no object store known)");
            return Optional.empty();
        }
        DirectorySecretStore secrets = new DirectorySecretStore(target.home().secretsDir());
        if (secrets.find(instance.s3SecretKey()).isEmpty()) {
            notes.add("window computed from the events (this home holds no keys of bucket " + instance.bucket() + ")");
            return Optional.empty();
        }
        try (ObjectStores stores = new ObjectStores(ObjectStoreSettings.defaults(target.s3().get()), secrets,
                TidelineCli.of(spec).clock())) {
            BucketInventoryReader.BucketScan scan = new BucketInventoryReader(BucketLayout.forSegmentSize(instance.walSegmentSize()))
                    .read(stores.forInstance(instance.id()));
            scan.problems().forEach(p -> notes.add("bucket: " + p));
            return Optional.of(RestorableWindow.of(scan.inventory()));
        } catch (StorageException e) {
            notes.add("window computed from the events (bucket not readable: " + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    @Override
    public Integer call() {
        Deployment target = deployment.resolve();
        BackupHistory.View view;
        RegisteredInstance instance;
        try (KafkaAccess kafka = new KafkaAccess(target.kafkaBootstrapServers())) {
            instance = kafka.fleet().require(instanceName);
            List<Event> events = new ArrayList<>();
            // Commands first: the history looks up each backup's reason by its command id.
            for (String topic : List.of(Topics.BACKUP_COMMANDS, Topics.TIMELINE)) {
                try (EventStream stream = kafka.fromBeginning(topic)) {
                    events.addAll(stream.readToEndAtOpen(READ_TIMEOUT));
                }
            }
            view = BackupHistory.of(instance.id().value(), events, instance.walSegmentSize(), bucketWindow(target, instance));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instance", instance.id().value());
            m.put("name", instance.name());
            m.put("bucket", instance.bucket());
            m.put("window", Map.of("from", view.from().map(Object::toString).orElse(""),
                    "to", view.to().map(Object::toString).orElse(""),
                    "ranges", view.window().stream().map(r -> Map.of("from", r.from().toString(), "to", r.to().toString())).toList()));
            m.put("walStoredUpTo", view.newestWal().map(w -> Map.of("lsn", w.getEndLsn(), "segment", w.getSegment(),
                    "partial", w.getPartial(), "storedAt", w.getStoredAt().toString())).orElse(null));
            m.put("windowFrom", view.windowSource());
            m.put("backups", view.backups());
            m.put("notes", notes);
            Json.print(out, m);
            return ExitCodes.OK;
        }
        out.println("Backups of " + instance.name() + " (bucket " + instance.bucket() + "), newest first; times in UTC.");
        if (view.backups().isEmpty()) {
            out.println("  none yet (take one with: ./tideline backup " + instance.name() + ")");
        } else {
            Table table = new Table("BACKUP", "REASON", "STARTED", "CONSISTENT AT", "TOOK", "SIZE", "STORED", "STATUS");
            for (BackupHistory.Row r : view.backups()) {
                table.row(r.backupId(), r.reason(), r.startedAt(), r.finishedAt(),
                        r.finishedAt() == null ? null : DurationText.format(Duration.between(r.startedAt(), r.finishedAt())),
                        r.bytesRaw() == null ? null : Progress.bytes(r.bytesRaw()),
                        r.bytesStored() == null ? null : Progress.bytes(r.bytesStored()), r.status());
            }
            table.print(out);
        }
        out.println();
        if (view.window().isEmpty()) {
            out.println("Restorable window: none yet (a backup is restorable once its WAL up to its end is stored).");
        } else {
            out.println("Restorable window: " + view.from().orElseThrow() + " .. " + view.to().orElseThrow());
            if (view.window().size() > 1) {
                out.println("  with gaps; restorable ranges:");
                for (TimeRange r : view.window()) {
                    out.println("    " + r.from() + " .. " + r.to());
                }
            }
            out.println("  restore with: ./tideline restore " + instance.name() + " --to <time in the window>|latest");
        }
        view.newestWal().ifPresent(w -> out.println("WAL stored up to " + w.getEndLsn() + " (segment " + w.getSegment()
                + (w.getPartial() ? ", partial" : "") + ") at " + w.getStoredAt() + "."));
        notes.forEach(n -> out.println("note: " + n));
        out.flush();
        return ExitCodes.OK;
    }
}
