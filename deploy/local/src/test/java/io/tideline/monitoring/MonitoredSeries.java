package io.tideline.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of {@code deploy/monitoring}: the declared series ({@code series.txt}, name → type), and the
 * {@code tideline_*} names an expression uses. Shared by {@link MonitoringFilesTest} (what the alert rules
 * and dashboard use is declared) and the end-to-end test that scrapes the runtime (what is declared is
 * exported, and nothing else), so the list cannot drift from either side.
 */
public final class MonitoredSeries {

    private static final Pattern NAME = Pattern.compile("\\btideline_[a-zA-Z0-9_]+");

    private MonitoredSeries() {
    }

    /** {@code deploy/monitoring}, found from the module's directory (Maven runs tests in it) or the repository root. */
    public static Path dir() {
        for (Path candidate : new Path[] {Path.of("../monitoring"), Path.of("deploy/monitoring")}) {
            if (Files.isRegularFile(candidate.resolve("series.txt"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("deploy/monitoring/series.txt not found from " + Path.of("").toAbsolutePath());
    }

    /** Declared sample names and their type, in file order. */
    public static Map<String, String> declared() {
        Map<String, String> series = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(dir().resolve("series.txt"))) {
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                String[] fields = text.split("\\s+", 3);
                if (fields.length < 3 || series.put(fields[0], fields[1]) != null) {
                    throw new IllegalStateException("series.txt: bad or repeated line: " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return series;
    }

    /** The {@code tideline_*} names in a PromQL expression. */
    public static Set<String> namesIn(String expression) {
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(expression);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
