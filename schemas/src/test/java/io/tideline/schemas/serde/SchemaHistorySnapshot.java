package io.tideline.schemas.serde;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;

/**
 * The step to run after changing or adding an {@code .avsc}: writes {@code v<N+1>.avsc} into the
 * schema history of every event type whose source schema no longer matches its newest history
 * version. Run from the repository root after {@code mvn -pl schemas test-compile}:
 * <pre>
 * java -cp "schemas/target/classes:schemas/target/test-classes:$(cat schemas/target/cp.txt)" \
 *   io.tideline.schemas.serde.SchemaHistorySnapshot schemas/src/main/avro schemas/src/main/resources/schema-history
 * </pre>
 * (cp.txt from {@code mvn -pl schemas dependency:build-classpath -Dmdep.outputFile=target/cp.txt}).
 * The snapshot is made from the {@code .avsc} sources, not the generated class, so it carries no
 * Java-specific properties; shared named types are inlined so each version file stands alone.
 */
public final class SchemaHistorySnapshot {

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SchemaHistorySnapshot <avro source dir> <schema-history dir>");
            System.exit(2);
        }
        Path sources = Path.of(args[0]);
        Path history = Path.of(args[1]);
        for (Class<? extends SpecificRecord> type : EventTypes.ALL) {
            Schema source = parseSource(sources, type.getSimpleName());
            Path dir = history.resolve(type.getSimpleName());
            Files.createDirectories(dir);
            int latest = 0;
            while (Files.exists(dir.resolve("v" + (latest + 1) + ".avsc"))) {
                latest++;
            }
            if (latest > 0) {
                Schema newest = new Schema.Parser().parse(dir.resolve("v" + latest + ".avsc").toFile());
                if (SchemaNormalization.parsingFingerprint64(newest) == SchemaNormalization.parsingFingerprint64(source)) {
                    continue;
                }
            }
            Path file = dir.resolve("v" + (latest + 1) + ".avsc");
            Files.writeString(file, source.toString(true) + "\n");
            System.out.println("wrote " + file);
        }
    }

    /** Parses the shared named types first, like the avro-maven-plugin's {@code imports}. */
    static Schema parseSource(Path sources, String simpleName) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        List<Path> common;
        try (Stream<Path> files = Files.list(sources.resolve("common"))) {
            common = files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
        }
        for (Path path : common) {
            parser.parse(path.toFile());
        }
        return parser.parse(sources.resolve(simpleName + ".avsc").toFile());
    }

    private SchemaHistorySnapshot() {
    }
}
