package io.tideline.core.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.wal.Lsn;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * A named restore point: {@code pg_create_restore_point(name)} was called on the instance, and
 * {@code tideline restore-point create} recorded what it returned, as {@code restore-points/<name>.json}
 * in the instance's bucket (self-describing, beside the WAL that holds it; see {@code BucketLayout}).
 *
 * @param lsn       what {@code pg_create_restore_point} returned: the end of its WAL record, so recovery to
 *                  the name needs the stored WAL to reach it and a backup consistent before it
 * @param timeline  the server's timeline when it was made
 * @param createdAt the server's clock when it was made
 */
public record RestorePoint(InstanceId instance, String name, Lsn lsn, long timeline, Instant createdAt, String createdBy) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public RestorePoint {
        Objects.requireNonNull(instance, "instance");
        RestoreTarget.requireRestorePointName(Objects.requireNonNull(name, "name"));
        Objects.requireNonNull(lsn, "lsn");
        if (timeline < 1) {
            throw new IllegalArgumentException("timeline " + timeline);
        }
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(createdBy, "createdBy");
    }

    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("instanceId", instance.value());
        n.put("name", name);
        n.put("lsn", lsn.toString());
        n.put("timeline", timeline);
        n.put("createdAt", createdAt.toString());
        n.put("createdBy", createdBy);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a stored restore point; {@link IllegalArgumentException} naming what is wrong. */
    public static RestorePoint parse(byte[] json) {
        try {
            JsonNode n = JSON.readTree(json);
            return new RestorePoint(InstanceId.of(text(n, "instanceId")), text(n, "name"), Lsn.parse(text(n, "lsn")),
                    n.path("timeline").asLong(0), Instant.parse(text(n, "createdAt")), text(n, "createdBy"));
        } catch (IOException | DateTimeParseException e) {
            throw new IllegalArgumentException("not a restore point: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("restore point field '" + field + "' is missing");
        }
        return v.asText();
    }
}
