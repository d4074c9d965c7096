package io.tideline.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The tideline command run as a user runs it in a terminal: its own JVM (this test's classpath) under a
 * pseudo-terminal of a given width, made by util-linux {@code script} ({@code stty cols} sets its size).
 * What the terminal received (stdout and stderr, with every {@code \r} redraw) is kept in a file.
 */
final class PseudoTerminal implements AutoCloseable {

    private final Process script;
    private final Path transcript;

    private PseudoTerminal(Process script, Path transcript) {
        this.script = script;
        this.transcript = transcript;
    }

    static PseudoTerminal run(int columns, Path home, String... args) throws IOException {
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dlogback.configurationFile=tideline-logback.xml", "-cp", System.getProperty("java.class.path"),
                TidelineCli.class.getName()));
        java.addAll(List.of(args));
        java.addAll(List.of("--home", home.toString()));
        // SIGINT back to its default for the command, as a shell gives it to a foreground command in a terminal: a build
        // started in the background (`mvn ... &`, nohup, some CI runners) ignores SIGINT, every process it starts inherits
        // that, and the JVM then never sees Ctrl-C (the Ctrl-C case of CliEndToEndIT hung, or skipped, for that reason).
        String command = "stty cols " + columns + " rows 24; exec env --default-signal=INT "
                + java.stream().map(PseudoTerminal::quote).collect(Collectors.joining(" "));
        Path transcript = Files.createTempFile("tideline-pty-", ".txt");
        ProcessBuilder pb = new ProcessBuilder("script", "-q", "-e", "-c", command, "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(transcript.toFile());
        pb.environment().remove("COLUMNS"); // the width must come from the terminal
        pb.environment().putAll(Cli.PATIENT);
        return new PseudoTerminal(pb.start(), transcript);
    }

    String transcript() throws IOException {
        return Files.readString(transcript, StandardCharsets.UTF_8);
    }

    int awaitExit(long seconds) throws Exception {
        if (!script.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the command did not end within " + seconds + " s; so far:\n" + transcript());
        }
        return script.exitValue();
    }

    /** The command's JVM (the child of {@code script}). */
    Optional<ProcessHandle> jvm() {
        return script.toHandle().descendants().filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst();
    }

    /** What the terminal showed, one entry per line or redraw (split at {@code \r} and {@code \n}), escapes removed. */
    static List<String> screens(String transcript) {
        return List.of(transcript.replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "").split("[\r\n]"));
    }

    private static final Pattern AMOUNTS = Pattern.compile("([0-9.]+) (B|KiB|MiB|GiB|TiB) (?:/|of) ([0-9.]+) (B|KiB|MiB|GiB|TiB)");
    private static final Pattern PERCENT = Pattern.compile("(\\d+)%");

    /** The figures of {@code line} that pass their total ("48.0 MiB / 21.1 MiB", "101%"), if any. */
    static Optional<String> figurePastItsTotal(String line) {
        Matcher m = AMOUNTS.matcher(line);
        while (m.find()) {
            if (bytes(m.group(1), m.group(2)) > bytes(m.group(3), m.group(4))) {
                return Optional.of(m.group());
            }
        }
        Matcher p = PERCENT.matcher(line);
        while (p.find()) {
            if (Integer.parseInt(p.group(1)) > 100) {
                return Optional.of(p.group());
            }
        }
        return Optional.empty();
    }

    private static double bytes(String n, String unit) {
        int power = List.of("B", "KiB", "MiB", "GiB", "TiB").indexOf(unit);
        return Double.parseDouble(n) * Math.pow(1024, power);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Keeps what the terminal showed as a test artifact (target/terminal-NAME.txt) for a person to look at. */
    void keepAs(String name) throws IOException {
        Path dir = Path.of("target");
        if (Files.isDirectory(dir)) {
            Files.copy(transcript, dir.resolve("terminal-" + name + ".txt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public void close() throws IOException {
        script.toHandle().descendants().forEach(ProcessHandle::destroy);
        script.destroy();
        Files.deleteIfExists(transcript);
    }
}
