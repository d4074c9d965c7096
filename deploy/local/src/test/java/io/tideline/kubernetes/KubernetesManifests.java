package io.tideline.kubernetes;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * Every document of every YAML file in {@code deploy/kubernetes/base}, read as plain maps, with the few
 * look-ups the drift test needs. Nothing here knows what the documents should say.
 */
final class KubernetesManifests {

    /** One YAML document and the file it came from (for the failure messages). */
    record Document(String file, Map<String, Object> body) {
        String kind() {
            return (String) body.get("kind");
        }

        String name() {
            return (String) map(body, "metadata").get("name");
        }
    }

    private final Path dir;
    private final List<Document> documents;

    private KubernetesManifests(Path dir, List<Document> documents) {
        this.dir = dir;
        this.documents = List.copyOf(documents);
    }

    /** {@code deploy/kubernetes/base}, found from the module's directory (Maven runs tests in it) or the repository root. */
    static KubernetesManifests load() {
        for (Path candidate : new Path[] {Path.of("../kubernetes/base"), Path.of("deploy/kubernetes/base")}) {
            if (Files.isRegularFile(candidate.resolve("kustomization.yaml"))) {
                return read(candidate.toAbsolutePath().normalize());
            }
        }
        throw new IllegalStateException("deploy/kubernetes/base/kustomization.yaml not found from " + Path.of("").toAbsolutePath());
    }

    static KubernetesManifests read(Path dir) {
        List<Document> documents = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (Reader reader = Files.newBufferedReader(file)) {
                    for (Object body : new Yaml().loadAll(reader)) {
                        if (body != null) {
                            documents.add(new Document(file.getFileName().toString(), asMap(body, file.toString())));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new KubernetesManifests(dir, documents);
    }

    Path dir() {
        return dir;
    }

    List<Document> all() {
        return documents;
    }

    List<Document> ofKind(String kind) {
        return documents.stream().filter(d -> kind.equals(d.kind())).toList();
    }

    Document one(String kind, String name) {
        return ofKind(kind).stream().filter(d -> name.equals(d.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in " + dir));
    }

    /** The keys of a nested YAML map as dotted names ({@code a: {b.c: 1}} → {@code a.b.c}), values as text. */
    static Map<String, String> flatten(Map<String, Object> tree) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", tree, flat);
        return flat;
    }

    private static void flatten(String prefix, Map<String, Object> tree, Map<String, String> flat) {
        tree.forEach((key, value) -> {
            String name = prefix.isEmpty() ? key : prefix + "." + key;
            if (value instanceof Map<?, ?>) {
                flatten(name, asMap(value, name), flat);
            } else {
                flat.put(name, String.valueOf(value));
            }
        });
    }

    static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        return value == null ? Map.of() : asMap(value, key);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value, String where) {
        if (!(value instanceof Map<?, ?>)) {
            throw new AssertionError(where + ": expected a map, found " + value);
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        ((Map<Object, Object>) value).forEach((k, v) -> copy.put(String.valueOf(k), v));
        return copy;
    }
}
