package io.tideline.core.adoption;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ServerCheck} concluded: the problems that stop Tideline from backing the server up (each
 * with its fix), and facts worth knowing that stop nothing (data checksums, TLS). A server with no
 * problem may be registered. {@code settings} are what was read (empty when the server could not be read).
 */
public record CheckReport(String server, List<Problem> problems, List<String> notes, Optional<ServerFacts.Settings> settings,
                          List<String> warnings) {

    /** Without warnings. */
    public CheckReport(String server, List<Problem> problems, List<String> notes, Optional<ServerFacts.Settings> settings) {
        this(server, problems, notes, settings, List.of());
    }

    public CheckReport {
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(settings, "settings");
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
    }

    /** One thing wrong: a short code (for tests and JSON), what is wrong, and how the owner fixes it. */
    public record Problem(String code, String what, String fix) {
        public Problem {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(fix, "fix");
        }

        /** The one line a person reads. */
        public String line() {
            return what + " -- fix: " + fix;
        }
    }

    public boolean passed() {
        return problems.isEmpty();
    }

    public boolean has(String code) {
        return problems.stream().anyMatch(p -> p.code().equals(code));
    }

    /** The report as lines: each problem with its fix, then the warnings (stop nothing, worth fixing), then the notes. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        problems.forEach(p -> lines.add("FAIL " + p.line()));
        warnings.forEach(w -> lines.add("WARN " + w));
        notes.forEach(n -> lines.add("info " + n));
        return List.copyOf(lines);
    }
}
