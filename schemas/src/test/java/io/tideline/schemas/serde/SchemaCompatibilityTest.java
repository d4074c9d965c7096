package io.tideline.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.schemas.BackupCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class SchemaCompatibilityTest {

    private static final Pattern SECRET_LIKE = Pattern.compile("(?i).*(password|passwd|secret|token|credential|privatekey|accesskey).*");

    private final SchemaStore store = SchemaStore.fromClasspath();

    @Test
    void everyCurrentSchemaReadsEveryHistoricalVersion() {
        assertEquals(List.of(), store.compatibilityProblems());
    }

    @Test
    void everyEventTypeHasAHistoryWhoseNewestVersionIsTheCurrentSchema() {
        assertEquals(EventTypes.ALL.size(), store.eventTypes().size());
        for (SchemaStore.EventType type : store.eventTypes()) {
            Schema newest = type.history().get(type.history().size() - 1);
            assertEquals(SchemaNormalization.parsingFingerprint64(type.current()), SchemaNormalization.parsingFingerprint64(newest),
                    type.type().getSimpleName() + ".avsc changed without a new schema-history version:"
                            + " run SchemaHistorySnapshot (see its javadoc)");
        }
    }

    @Test
    void theCheckReportsANewRequiredFieldWithoutDefault() {
        // v2 of BackupCommand as the current class; v1 is the same record without requestedBy,
        // a field v2 requires and gives no default for: old records could not be read.
        Schema v1 = withoutField(BackupCommand.getClassSchema(), "requestedBy");
        SchemaStore evolved = SchemaStore.of(List.of(BackupCommand.class), type -> List.of(v1, BackupCommand.getClassSchema()));

        List<String> problems = evolved.compatibilityProblems();

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("BackupCommand cannot read v1: READER_FIELD_MISSING_DEFAULT_VALUE"), problems.get(0));
        assertTrue(problems.get(0).contains("requestedBy"), problems.get(0));
    }

    @Test
    void theCheckAcceptsANewFieldWithADefaultAndReportsATypeChange() {
        Schema current = BackupCommand.getClassSchema();
        Schema withExtraOptional = addField(current, new Schema.Field("priority",
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.INT)), null, Schema.Field.NULL_DEFAULT_VALUE));
        Schema withExtraRequired = addField(current, new Schema.Field("priority", Schema.create(Schema.Type.INT)));
        Schema requestedByAsBoolean = replaceField(current, "requestedBy", Schema.create(Schema.Type.BOOLEAN));

        // the generated class stays the reader; these play the part of historical writers or new readers
        assertTrue(readable(withExtraOptional, current), "a new optional field must read old records");
        assertFalse(readable(withExtraRequired, current), "a new required field must not read old records");
        assertFalse(readable(requestedByAsBoolean, current), "a changed field type must be reported");
    }

    @Test
    void everyEventCarriesEventIdInstanceIdAndOccurredAt() {
        for (Class<? extends SpecificRecord> type : EventTypes.ALL) {
            Schema schema = store.eventType(type).orElseThrow().current();
            Schema eventId = schema.getField("eventId").schema();
            assertEquals(Schema.Type.STRING, eventId.getType(), type.getSimpleName());
            assertEquals(LogicalTypes.uuid(), eventId.getLogicalType(), type.getSimpleName() + ".eventId must be a uuid");
            Schema occurredAt = schema.getField("occurredAt").schema();
            assertEquals(LogicalTypes.timestampMillis(), occurredAt.getLogicalType(), type.getSimpleName() + ".occurredAt");
            Schema instanceId = schema.getField("instanceId").schema();
            boolean string = instanceId.getType() == Schema.Type.STRING
                    || (instanceId.isNullable() && instanceId.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.STRING));
            assertTrue(string, type.getSimpleName() + ".instanceId must be a string");
        }
    }

    @Test
    void everyNullableFieldDefaultsToNullSoItCanBeAddedLater() {
        List<String> offenders = new ArrayList<>();
        for (SchemaStore.EventType type : store.eventTypes()) {
            visitFields(type.current(), type.type().getSimpleName(), (path, field) -> {
                if (field.schema().isNullable() && !(field.hasDefaultValue() && field.defaultVal() == JsonProperties.NULL_VALUE)) {
                    offenders.add(path);
                }
            });
        }
        assertEquals(List.of(), offenders);
    }

    @Test
    void noEventHasAFieldThatLooksLikeASecretRatherThanAReference() {
        List<String> offenders = new ArrayList<>();
        for (SchemaStore.EventType type : store.eventTypes()) {
            offenders.addAll(secretLikeFields(type.current()));
        }
        assertEquals(List.of(), offenders, "events carry secret references (…Ref), never secrets");
    }

    @Test
    void theSecretCheckCatchesAPasswordField() {
        Schema leaky = addField(BackupCommand.getClassSchema(), new Schema.Field("superuserPassword", Schema.create(Schema.Type.STRING)));
        assertEquals(List.of("BackupCommand.superuserPassword"), secretLikeFields(leaky));
    }

    private static List<String> secretLikeFields(Schema schema) {
        List<String> offenders = new ArrayList<>();
        visitFields(schema, schema.getName(), (path, field) -> {
            if (SECRET_LIKE.matcher(field.name()).matches() && !field.name().endsWith("Ref")) {
                offenders.add(path);
            }
        });
        return offenders;
    }

    private interface FieldVisitor {
        void visit(String path, Schema.Field field);
    }

    /** Walks every field, into nested records, arrays, maps and unions. */
    private static void visitFields(Schema schema, String path, FieldVisitor visitor) {
        switch (schema.getType()) {
            case RECORD -> {
                for (Schema.Field field : schema.getFields()) {
                    visitor.visit(path + "." + field.name(), field);
                    visitFields(field.schema(), path + "." + field.name(), visitor);
                }
            }
            case ARRAY -> visitFields(schema.getElementType(), path + "[]", visitor);
            case MAP -> visitFields(schema.getValueType(), path + "{}", visitor);
            case UNION -> schema.getTypes().forEach(branch -> visitFields(branch, path, visitor));
            default -> {
            }
        }
    }

    private static boolean readable(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    static Schema withoutField(Schema record, String name) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : record.getFields()) {
            if (!field.name().equals(name)) {
                fields.add(new Schema.Field(field, field.schema()));
            }
        }
        return copy(record, fields);
    }

    static Schema addField(Schema record, Schema.Field extra) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : record.getFields()) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        fields.add(extra);
        return copy(record, fields);
    }

    private static Schema replaceField(Schema record, String name, Schema type) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : record.getFields()) {
            fields.add(field.name().equals(name) ? new Schema.Field(name, type) : new Schema.Field(field, field.schema()));
        }
        return copy(record, fields);
    }

    private static Schema copy(Schema record, List<Schema.Field> fields) {
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
    }
}
