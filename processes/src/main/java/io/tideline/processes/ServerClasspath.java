package io.tideline.processes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The classpath of a server that runs in its own JVM, as pinned by its {@code deploy/} module.
 * The module writes it at build time to a resource ({@code tideline/<name>.classpath}: one or
 * more lines of {@code :}-separated absolute paths) and this module depends on the deploy module with all
 * transitive dependencies excluded, so the resource, and never the server's jars, is on our classpath.
 */
public record ServerClasspath(String resource, List<Path> entries) {

    public ServerClasspath {
        Objects.requireNonNull(resource, "resource");
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("classpath resource " + resource + " lists no entries");
        }
        for (Path entry : entries) {
            if (!Files.exists(entry)) {
                throw new IllegalStateException("classpath resource " + resource + " names " + entry
                        + ", which does not exist: rebuild with -am so the deploy module's dependencies are resolved");
            }
        }
    }

    /** Reads {@code resource} with this class's loader; fails loudly when the deploy module is not on the classpath. */
    public static ServerClasspath load(String resource) {
        ClassLoader loader = ServerClasspath.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + resource
                        + " not found: the processes module must depend on its deploy module (build with -am)");
            }
            return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    static ServerClasspath parse(String resource, String text) {
        List<Path> entries = new ArrayList<>();
        for (String line : text.split("\\R")) {
            for (String entry : line.split(java.io.File.pathSeparator)) {
                if (!entry.isBlank()) {
                    entries.add(Path.of(entry.strip()));
                }
            }
        }
        return new ServerClasspath(resource, entries);
    }

    /** The value for {@code java -cp}. */
    public String asArgument() {
        return String.join(java.io.File.pathSeparator, entries.stream().map(Path::toString).toList());
    }
}
