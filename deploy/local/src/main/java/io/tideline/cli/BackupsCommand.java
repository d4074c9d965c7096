package io.tideline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tideline.cli.backup.BackupHistory;
import io.tideline.cli.backup.DrillProof;
import io.tideline.cli.events.Event;
import io.tideline.cli.events.EventStream;
import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.output.Json;
import io.tideline.cli.output.Progress;
import io.tideline.cli.output.Table;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StorageException;
import io.tideline.core.verify.KnownCorruptions;
import io.tideline.core.window.Damage;
import io.tideline.core.window.RestorableWindow;
import io.tideline.schemas.ObjectCorrupted;
import io.tideline.core.window.TimeRange;
import io.tideline.core.window.WindowBreak;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.runtime.DurationText;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    /** Damaged objects the event log names ({@code ObjectCorrupted}), replayed: the window is cut at those still stored. */
    private final KnownCorruptions corruptions = new KnownCorruptions();
    /** The damage that applies to the bucket as listed now (empty when the bucket was not read). */
    private Damage damage = Damage.none();

    /**
     * The window as the restore service will judge it: from the bucket itself, read with the instance's
     * own credentials. Empty when this machine cannot read it (no S3 endpoint known, or not the home that
     * holds the instance's keys); the window then comes from the events.
     */
    private Optional<BackupHistory.Judgement> bucketWindow(Deployment target, RegisteredInstance instance) {
        if (target.s3().isEmpty()) {
            return Optional.empty();
        }
        DirectorySecretStore secrets = new DirectorySecretStore(target.home().secretsDir());
        if (secrets.find(instance.s3SecretKey()).isEmpty()) {
            return Optional.empty();
        }
        try (ObjectStores stores = new ObjectStores(target.storeSettings(), secrets, TidelineCli.of(spec).clock())) {
            BucketInventoryReader.BucketScan scan = new BucketInventoryReader(BucketLayout.forSegmentSize(instance.walSegmentSize()))
                    .read(stores.forInstance(instance.id()));
            scan.problems().forEach(p -> notes.add("bucket: " + p));
            damage = corruptions.damageIn(instance.id(), scan.inventory());
            return Optional.of(BackupHistory.Judgement.of(RestorableWindow.of(scan.inventory(), damage), "bucket"));
        } catch (StorageException e) {
            if (NoAnswer.isNoAnswer(e)) {
                // The restore service reads the same store: its view would not answer either.
                throw target.storeFailure(e);
            }
            notes.add("bucket not readable from here: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The window as the restore service's Backups view ({@code GET /api/instances/{id}/backups}) judges it,
     * for a deployment whose buckets this machine cannot read. Empty (and the events decide) when the view
     * does not answer.
     */
    private Optional<BackupHistory.Judgement> apiWindow(Deployment target, RegisteredInstance instance) {
        if (target.api().isEmpty()) {
            notes.add("window computed from the events (neither the bucket nor the Backups view can be reached)");
            return Optional.empty();
        }
        URI uri = target.api().get().resolve("/api/instances/" + instance.id().value() + "/backups");
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(target.answerTimeout()).GET();
            // the API needs a signed-in person (issue 14.2); without one it answers 401 and the events decide
            ApiClient.ifSignedIn(target, TidelineCli.of(spec).clock())
                    .flatMap(ApiClient::token).ifPresent(t -> request.header("Authorization", "Bearer " + t.token()));
            HttpResponse<String> response = target.apiClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                notes.add("window computed from the events (the Backups view answered " + ApiProblem.describe(response) + ")");
                return Optional.empty();
            }
            JsonNode view = Json.MAPPER.readTree(response.body());
            List<TimeRange> ranges = new ArrayList<>();
            for (JsonNode r : view.path("window").path("ranges")) {
                ranges.add(new TimeRange(Instant.parse(r.get("from").asText()), Instant.parse(r.get("to").asText())));
            }
            Set<String> restorable = new HashSet<>();
            for (JsonNode b : view.path("backups")) {
                if ("RESTORABLE".equals(b.path("status").asText())) {
                    restorable.add(b.get("backupId").asText());
                }
            }
            view.path("problems").forEach(p -> notes.add("bucket: " + p.asText()));
            return Optional.of(new BackupHistory.Judgement(ranges, restorable, "api"));
        } catch (HttpTimeoutException e) {
            throw NoAnswer.of(NoAnswer.API, target.api().get(), target.answerTimeout(), e);
        } catch (IOException | RuntimeException e) {
            notes.add("window computed from the events (the Backups view at " + uri + " did not answer: " + e.getMessage() + ")");
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public Integer call() {
        Deployment target = deployment.resolve();
        BackupHistory.View view;
        DrillProof drills;
        io.tideline.cli.backup.NewestPointEstimate estimate;
        RegisteredInstance instance;
        try (KafkaAccess kafka = KafkaAccess.of(target)) {
            instance = kafka.instances().require(instanceName);
            List<Event> events = new ArrayList<>();
            // Commands first: the history looks up each backup's reason by its command id.
            for (String topic : List.of(Topics.BACKUP_COMMANDS, Topics.TIMELINE)) {
                try (EventStream stream = kafka.fromBeginning(topic)) {
                    events.addAll(stream.readToEndAtOpen(READ_TIMEOUT));
                }
            }
            events.stream().filter(e -> instance.id().value().equals(e.key())).forEach(e -> e.value()
                    .filter(ObjectCorrupted.class::isInstance).map(ObjectCorrupted.class::cast).ifPresent(corruptions::apply));
            Optional<BackupHistory.Judgement> judged = bucketWindow(target, instance).or(() -> apiWindow(target, instance));
            view = BackupHistory.of(instance.id().value(), events, instance.walSegmentSize(), judged);
            drills = DrillProof.of(instance, events);
            List<Event> restoreEvents;
            try (EventStream stream = kafka.fromBeginning(Topics.RESTORE_EVENTS)) {
                restoreEvents = stream.readToEndAtOpen(READ_TIMEOUT);
            }
            estimate = io.tideline.cli.backup.NewestPointEstimate.of(instance, events, restoreEvents);
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
            m.put("restoreDrills", drills.json());
            m.put("newestPoint", estimate.json());
            m.put("damaged", damage.sorted().entrySet().stream().map(d -> Map.of("key", d.getKey(), "reason", d.getValue())).toList());
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
                // Right after a backup the WAL just before it is often still on its way: said so, not called a gap.
                List<WindowBreak> breaks = WindowBreak.between(view.window(), TidelineCli.of(spec).clock().instant());
                out.println("  in " + view.window().size() + " ranges; restorable:");
                for (int i = 0; i < view.window().size(); i++) {
                    TimeRange r = view.window().get(i);
                    out.println("    " + r.from() + " .. " + r.to());
                    if (i < breaks.size()) {
                        out.println("      not restorable until the next range: " + breaks.get(i).describe());
                    }
                }
            }
            out.println("  restore with: ./tideline restore " + instance.name() + " --to <time in the window>|latest");
        }
        estimate.line().ifPresent(out::println);
        out.println(drills.line());
        drills.failure().ifPresent(out::println);
        damage.sorted().forEach((key, reason) -> out.println("DAMAGED " + key + ": " + reason
                + " (found by verify; the window is cut at it)"));
        view.newestWal().ifPresent(w -> out.println("WAL stored up to " + w.getEndLsn() + " (segment " + w.getSegment()
                + (w.getPartial() ? ", partial" : "") + ") at " + w.getStoredAt() + "."));
        notes.forEach(n -> out.println("note: " + n));
        out.flush();
        return ExitCodes.OK;
    }
}
