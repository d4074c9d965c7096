package io.tideline.cli;

import io.tideline.cli.audit.AuditChecks;
import io.tideline.cli.audit.AuditEvent;
import io.tideline.cli.audit.AuditHistory;
import io.tideline.cli.audit.AuditLog;
import io.tideline.cli.audit.DrillCheck;
import io.tideline.cli.audit.Finding;
import io.tideline.cli.audit.StoredWalCheck;
import io.tideline.cli.events.KafkaAccess;
import io.tideline.cli.output.Json;
import io.tideline.cli.output.Table;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StorageException;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Replay the event log (every Tideline topic from its beginning), print each instance's history "
                + "in UTC order and check its invariants; with a reachable object store, also that every stored WAL "
                + "object carries the checksum its event reported, and that every instance had a good restore drill "
                + "within its drill policy.",
                "Exit status 4 if an invariant is broken."})
final class AuditCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Option(names = "--instance", paramLabel = "INSTANCE", description = "Print only this instance's history (all are checked).")
    String only;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        Deployment target = deployment.resolve();
        TidelineCli cli = TidelineCli.of(spec);
        List<AuditEvent> log;
        Set<String> live;
        List<RegisteredInstance> registered;
        Map<String, String> names = new LinkedHashMap<>();
        try (KafkaAccess kafka = KafkaAccess.of(target)) {
            log = AuditLog.replay(kafka);
            List<RegisteredInstance> fleet = kafka.instances().all();
            registered = fleet;
            fleet.forEach(i -> names.put(i.id().value(), i.name()));
            live = fleet.stream().map(i -> i.id().value()).collect(Collectors.toSet());
        }
        Optional<String> onlyId = Optional.ofNullable(only).map(o -> names.entrySet().stream()
                .filter(e -> e.getKey().equals(o) || e.getValue().equals(o)).map(Map.Entry::getKey).findFirst()
                .orElse(o));
        List<Finding> findings = new ArrayList<>(AuditChecks.check(log));
        List<String> checks = new ArrayList<>(AuditChecks.names());
        findings.addAll(DrillCheck.check(log, registered, cli.clock().instant()));
        checks.add(DrillCheck.CHECK);
        List<String> notes = new ArrayList<>();
        if (target.s3().isPresent()) {
            try (ObjectStores stores = new ObjectStores(target.storeSettings(),
                    new DirectorySecretStore(target.home().secretsDir()), cli.clock())) {
                StoredWalCheck.Result stored = StoredWalCheck.run(log, live, stores);
                findings.addAll(stored.findings());
                checks.add(StoredWalCheck.CHECK);
                notes.add(stored.objectsChecked() + " WAL objects checked against their events (their recorded checksums;"
                        + " ./tideline verify re-reads the bytes)");
                notes.addAll(stored.skipped());
            } catch (StorageException e) {
                throw target.storeFailure(e);
            }
        } else {
            notes.add("object store not known (give --s3-endpoint): stored WAL checksums were not checked");
        }
        Map<String, List<AuditHistory.Line>> history = AuditHistory.of(log);
        if (onlyId.isPresent() && !history.containsKey(onlyId.get())) {
            // Neither registered now nor anywhere in the log: a typo, not an instance with no history.
            throw CliException.failure("unknown instance '" + only + "' (not registered and not in the event log; "
                    + "see ./tideline instance list)");
        }
        onlyId.ifPresent(id -> history.keySet().retainAll(Set.of(id)));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("events", log.size());
            report.put("history", history);
            report.put("checks", checks.stream().map(c -> Map.of("check", c,
                    "passed", findings.stream().noneMatch(f -> f.check().equals(c)))).toList());
            report.put("findings", findings);
            report.put("notes", notes);
            Json.print(out, report);
        } else {
            print(out, history, names, log.size(), checks, findings, notes);
        }
        if (!findings.isEmpty()) {
            throw CliException.refused(findings.size() + " invariant violation" + (findings.size() == 1 ? "" : "s")
                    + " in the event log (first: " + findings.get(0).message() + ")");
        }
        return ExitCodes.OK;
    }

    private static void print(PrintWriter out, Map<String, List<AuditHistory.Line>> history, Map<String, String> names,
                              int events, List<String> checks, List<Finding> findings, List<String> notes) {
        out.println("Event log: " + events + " records.");
        for (Map.Entry<String, List<AuditHistory.Line>> instance : history.entrySet()) {
            String name = names.get(instance.getKey());
            out.println();
            out.println(instance.getKey() + (name == null || name.equals(instance.getKey()) ? "" : " (" + name + ")")
                    + (name == null ? " [not registered now]" : ""));
            int width = instance.getValue().stream().mapToInt(l -> l.what().length()).max().orElse(0);
            for (AuditHistory.Line line : instance.getValue()) {
                out.println("  " + Table.time(line.at()) + "  " + line.what() + " ".repeat(width - line.what().length()) + "  " + line.detail());
            }
        }
        out.println();
        out.println("Checks:");
        for (String check : checks) {
            long broken = findings.stream().filter(f -> f.check().equals(check)).count();
            out.println("  " + (broken == 0 ? "ok    " : "FAILED") + "  " + check + (broken == 0 ? "" : " (" + broken + ")"));
        }
        for (Finding f : findings) {
            out.println("  - " + f.instance() + " at " + f.position() + ": " + f.message());
        }
        notes.forEach(n -> out.println("  note: " + n));
        out.flush();
    }
}
