package io.tideline.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every schema version a Tideline event was ever written with, so that a record written years ago
 * (the topics are the audit log and keep a year or more) still decodes into today's class.
 *
 * <p>History lives on the classpath as {@code schema-history/<SimpleName>/v1.avsc, v2.avsc, ...},
 * each file self-contained (shared named types inlined), numbered without holes. The newest
 * history file must have the same parsing fingerprint as the generated class's schema: a schema
 * change therefore always comes with a new history file (SchemaCompatibilityTest enforces it).
 *
 * <p>Immutable once built.
 */
public final class SchemaStore {

    /** Classpath folder holding one sub-folder of versions per event type. */
    public static final String HISTORY_ROOT = "schema-history";

    /** One event type: its generated class, the schema it is compiled with, every version it was written with. */
    public record EventType(Class<? extends SpecificRecord> type, Schema current, List<Schema> history) {
        public EventType {
            if (history.isEmpty()) {
                throw new IllegalArgumentException("no schema history for " + type.getName()
                        + ": add " + HISTORY_ROOT + "/" + type.getSimpleName() + "/v1.avsc");
            }
            history = List.copyOf(history);
        }
    }

    /** A writer schema found by its fingerprint, and the event type it belongs to. */
    public record WriterSchema(EventType eventType, Schema schema, long fingerprint) {
    }

    private final Map<Class<? extends SpecificRecord>, EventType> byClass;
    private final Map<Long, WriterSchema> byFingerprint;

    private SchemaStore(Collection<EventType> types) {
        Map<Class<? extends SpecificRecord>, EventType> classes = new LinkedHashMap<>();
        Map<Long, WriterSchema> fingerprints = new HashMap<>();
        for (EventType type : types) {
            classes.put(type.type(), type);
            List<Schema> all = new ArrayList<>(type.history());
            all.add(type.current());
            for (Schema schema : all) {
                if (!schema.getFullName().equals(type.current().getFullName())) {
                    throw new IllegalArgumentException("schema history of " + type.type().getName()
                            + " contains a schema named " + schema.getFullName());
                }
                long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
                WriterSchema previous = fingerprints.putIfAbsent(fingerprint, new WriterSchema(type, schema, fingerprint));
                if (previous != null && previous.eventType().type() != type.type()) {
                    throw new IllegalArgumentException("fingerprint collision between " + previous.eventType().type().getName()
                            + " and " + type.type().getName());
                }
            }
        }
        this.byClass = Map.copyOf(classes);
        this.byFingerprint = Map.copyOf(fingerprints);
    }

    /** The store of every type in {@link EventTypes#ALL}, with history read from this class's classpath. */
    public static SchemaStore fromClasspath() {
        ClassLoader loader = SchemaStore.class.getClassLoader();
        return of(EventTypes.ALL, type -> readHistory(loader, type.getSimpleName()));
    }

    /**
     * A store of the given types, with history supplied by {@code history} (oldest first). Tests use
     * it to simulate a schema that evolved.
     */
    public static SchemaStore of(Collection<Class<? extends SpecificRecord>> types,
            Function<Class<? extends SpecificRecord>, List<Schema>> history) {
        List<EventType> eventTypes = new ArrayList<>();
        for (Class<? extends SpecificRecord> type : types) {
            eventTypes.add(new EventType(type, SpecificData.get().getSchema(type), history.apply(type)));
        }
        return new SchemaStore(eventTypes);
    }

    /** Reads {@code schema-history/<name>/v1.avsc, v2.avsc, ...} until the first missing number. */
    public static List<Schema> readHistory(ClassLoader loader, String simpleName) {
        List<Schema> versions = new ArrayList<>();
        for (int version = 1; ; version++) {
            String path = HISTORY_ROOT + "/" + simpleName + "/v" + version + ".avsc";
            URL url = loader.getResource(path);
            if (url == null) {
                return versions;
            }
            try (InputStream in = url.openStream()) {
                // a fresh parser per file: each version is self-contained and names must not leak between them
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
        }
    }

    public Collection<EventType> eventTypes() {
        return byClass.values();
    }

    /** The event type of a generated class, or empty if it is not a Tideline event. */
    public Optional<EventType> eventType(Class<?> type) {
        return Optional.ofNullable(byClass.get(type));
    }

    /** The writer schema with this CRC-64-AVRO parsing fingerprint, or empty if no known version has it. */
    public Optional<WriterSchema> writerSchema(long fingerprint) {
        return Optional.ofNullable(byFingerprint.get(fingerprint));
    }

    /**
     * Why some event type's current schema cannot read one of its historical versions; empty when
     * every old record stays decodable (backward compatibility, checked by Avro's own resolution rules).
     */
    public List<String> compatibilityProblems() {
        List<String> problems = new ArrayList<>();
        for (EventType type : byClass.values()) {
            for (int i = 0; i < type.history().size(); i++) {
                SchemaCompatibility.SchemaPairCompatibility result =
                        SchemaCompatibility.checkReaderWriterCompatibility(type.current(), type.history().get(i));
                if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                    for (SchemaCompatibility.Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
                        problems.add(type.type().getSimpleName() + " cannot read v" + (i + 1) + ": "
                                + incompatibility.getType() + " at " + incompatibility.getLocation()
                                + " (" + incompatibility.getMessage() + ")");
                    }
                }
            }
        }
        return problems;
    }
}
