package io.tideline.cli;

import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.output.Json;
import io.tideline.cli.output.Progress;
import io.tideline.core.ids.BackupId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StorageException;
import io.tideline.core.verify.BucketVerifier;
import io.tideline.core.verify.CorruptionEvents;
import io.tideline.core.verify.Pace;
import io.tideline.core.verify.VerificationReport;
import io.tideline.core.verify.VerifiedObject;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.WalHole;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.runtime.DurationText;
import java.io.PrintWriter;
import java.util.ArrayList;
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

/**
 * {@code tideline verify}: re-reads every object the restorable window needs and proves each by the sha256
 * of the bytes read (never metadata against metadata), checks WAL continuity and the timeline history, and
 * publishes {@code ObjectCorrupted} for each damaged object so that every reader of the window cuts it there
 * (and retention asks for a new backup when the damage ends the window early).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Re-read every object the restorable window needs (all instances, or INSTANCE), check each "
                + "against the sha256 recorded in its backup's manifest or its metadata, check WAL continuity from each "
                + "backup's start to the window's end and the timeline history, and name every bad or missing object. "
                + "A damaged object is published (ObjectCorrupted): the window is cut at it.",
                "Exit status 4 if anything is damaged, missing or unreadable."})
final class VerifyCommand implements Callable<Integer> {

    static final int DEFAULT_PARALLELISM = 4;

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(paramLabel = "INSTANCE", arity = "0..1", description = "The instance's name or id (default: every instance).")
    String instanceName;

    @Option(names = "--backup", paramLabel = "ID", description = "Verify only this backup and the WAL from its start on.")
    String backup;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "" + DEFAULT_PARALLELISM,
            description = "Objects read at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        Deployment target = deployment.resolve();
        if (parallel < 1) {
            throw CliException.usage("--parallel must be at least 1, not " + parallel);
        }
        Optional<BackupId> only = Optional.ofNullable(backup).map(VerifyCommand::backupId);
        if (only.isPresent() && instanceName == null) {
            throw CliException.usage("--backup needs the INSTANCE it belongs to");
        }
        if (target.s3().isEmpty()) {
            throw CliException.failure("verify reads the buckets: the object store is not known (give --s3-endpoint)");
        }
        TidelineCli cli = TidelineCli.of(spec);
        List<Map<String, Object>> results = new ArrayList<>();
        boolean clean = true;
        PrintWriter out = spec.commandLine().getOut();
        try (KafkaAccess kafka = KafkaAccess.of(target);
             ObjectStores stores = new ObjectStores(target.storeSettings(), new DirectorySecretStore(target.home().secretsDir()), cli.clock())) {
            List<RegisteredInstance> instances = instanceName == null ? kafka.instances().all()
                    : List.of(kafka.instances().require(instanceName));
            for (RegisteredInstance instance : instances) {
                VerificationReport report;
                try {
                    report = new BucketVerifier(BucketLayout.forSegmentSize(instance.walSegmentSize()), parallel, cli.clock())
                            .verify(stores.forInstance(instance.id()), only, Pace.unlimited());
                } catch (IllegalArgumentException e) {
                    throw CliException.failure(e.getMessage());
                } catch (StorageException e) {
                    throw target.storeFailure(e);
                }
                for (VerifiedObject damaged : report.damaged()) {
                    kafka.publish(Topics.TIMELINE, instance.id().value(), CorruptionEvents.of(instance.id(), damaged,
                            report.cutsWindowEnd(damaged), CorruptionEvents.CLI, cli.clock().instant()));
                }
                clean &= report.isClean();
                if (json) {
                    results.add(toJson(instance, report));
                } else {
                    print(out, instance, report);
                }
            }
            if (instances.isEmpty() && !json) {
                out.println("No instance is registered: nothing to verify.");
            }
        }
        if (json) {
            Json.print(out, Map.of("instances", results));
        }
        out.flush();
        if (!clean) {
            throw CliException.refused("verify found damaged, missing or unreadable objects (see above)");
        }
        return ExitCodes.OK;
    }

    private static BackupId backupId(String text) {
        try {
            return BackupId.parse(text);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--backup: " + e.getMessage());
        }
    }

    private static void print(PrintWriter out, RegisteredInstance instance, VerificationReport r) {
        out.println(instance.name() + " (bucket " + r.bucket() + "): " + r.objects().size() + " objects, "
                + Progress.bytes(r.bytesRead()) + " read in " + DurationText.format(r.took()) + ": "
                + (r.isClean() ? "clean" : "NOT CLEAN"));
        for (VerifiedObject d : r.damaged()) {
            out.println("  DAMAGED     " + d.key() + ": " + d.detail());
        }
        for (VerifiedObject u : r.unreadable()) {
            out.println("  UNREADABLE  " + u.key() + ": " + u.detail());
        }
        for (WalHole h : r.holes()) {
            out.println("  MISSING     " + h);
        }
        r.histories().forEach(h -> out.println("  MISSING     " + h));
        r.problems().forEach(p -> out.println("  PROBLEM     " + p));
        out.println("  window: " + window(r.cut()) + (r.damaged().isEmpty() ? "" : " (cut at the damage; listing alone: "
                + window(r.clean()) + ")"));
        r.cut().unusableBackups().forEach(u -> out.println("  backup " + u.backup().id().value() + " unusable: " + u.reason()));
    }

    private static String window(RestorableWindow w) {
        return w.isEmpty() ? "nothing restorable" : w.from().orElseThrow() + " .. " + w.to().orElseThrow()
                + (w.ranges().size() > 1 ? " in " + w.ranges().size() + " ranges" : "");
    }

    private static Map<String, Object> toJson(RegisteredInstance instance, VerificationReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", instance.id().value());
        m.put("name", instance.name());
        m.put("bucket", r.bucket());
        m.put("clean", r.isClean());
        m.put("objects", r.objects().size());
        m.put("bytesRead", r.bytesRead());
        m.put("tookMillis", r.took().toMillis());
        m.put("damaged", r.damaged().stream().map(d -> object(d, r)).toList());
        m.put("unreadable", r.unreadable().stream().map(d -> object(d, r)).toList());
        m.put("missing", r.holes().stream().map(h -> Map.of("segment", h.segment().toString(), "from", h.from().toString(),
                "resumes", h.resumes().toString(), "damaged", h.damaged())).toList());
        m.put("missingHistories", r.histories());
        m.put("problems", r.problems());
        m.put("window", ranges(r.cut()));
        m.put("windowListed", ranges(r.clean()));
        m.put("unusableBackups", r.cut().unusableBackups().stream()
                .map(u -> Map.of("backupId", u.backup().id().value(), "reason", u.reason())).toList());
        return m;
    }

    private static Map<String, Object> object(VerifiedObject d, VerificationReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", d.key());
        m.put("role", d.object().role().name());
        m.put("size", d.object().size());
        m.put("expectedSha256", d.expected().map(Sha256::hex).orElse(null));
        m.put("actualSha256", d.actual().map(Sha256::hex).orElse(null));
        m.put("detail", d.detail());
        m.put("cutsWindowEnd", d.damaged() && r.cutsWindowEnd(d));
        return m;
    }

    private static List<Map<String, String>> ranges(RestorableWindow w) {
        return w.ranges().stream().map(t -> Map.of("from", t.from().toString(), "to", t.to().toString())).toList();
    }
}
