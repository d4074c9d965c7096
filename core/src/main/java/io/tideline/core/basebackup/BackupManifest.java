package io.tideline.core.basebackup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.Sha256;
import io.tideline.core.wal.Lsn;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * {@code basebackups/<backup-id>/manifest.json}: written last, so its presence means the backup's
 * data is complete in the bucket, and self-describing, so a restore works from the bucket alone.
 *
 * <p>JSON: fields in a fixed order, times as UTC ISO-8601 strings, LSNs as {@code X/Y}, the system
 * identifier as a decimal string (it is an unsigned 64-bit number, beyond what JSON numbers carry
 * exactly in many readers). Parsing is strict: an unknown {@code formatVersion}, a missing or unknown
 * field, or values that contradict each other are errors, because a restore must never guess.
 *
 * @param formatVersion    {@link #FORMAT_VERSION}; any change to the shape bumps it
 * @param commandId        the backup command that asked for it (the natural key of the daily backup)
 * @param timeline         the timeline the backup started on
 * @param startLsn         where WAL replay must begin (pg_basebackup's checkpoint redo position)
 * @param endLsn           where the backup becomes consistent; WAL up to here is required to restore
 * @param postgresVersion  {@code server_version_num} of the source (150018 = 15.18)
 * @param systemIdentifier the source cluster's system identifier, unsigned
 * @param rawBytes         uncompressed size of the data stream (the tar)
 * @param storedBytes      sum of the parts' stored sizes
 * @param compression      {@value #ZSTD}, the only one
 * @param parts            the data stream's objects in stream order; concatenated they are one zstd stream
 * @param tablespaces      additional tablespaces; always empty for now (pg_basebackup to stdout supports none)
 */
public record BackupManifest(int formatVersion, BackupId backupId, InstanceId instanceId, String commandId,
                             long timeline, Lsn startLsn, Lsn endLsn, Instant startedAt, Instant finishedAt,
                             int postgresVersion, long systemIdentifier, long walSegmentSize,
                             long rawBytes, long storedBytes, String compression,
                             List<Part> parts, List<Tablespace> tablespaces) {

    public static final int FORMAT_VERSION = 1;
    public static final String ZSTD = "zstd";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> FIELDS = List.of("formatVersion", "backupId", "instanceId", "commandId", "timeline",
            "startLsn", "endLsn", "startedAt", "finishedAt", "postgresVersion", "systemIdentifier", "walSegmentSize",
            "rawBytes", "storedBytes", "compression", "parts", "tablespaces");
    private static final List<String> PART_FIELDS = List.of("key", "rawBytes", "storedBytes", "sha256");
    private static final List<String> TABLESPACE_FIELDS = List.of("oid", "location");

    /** A builder for the manifest of {@code backupId}, taken for {@code commandId}: the way writers make one. */
    public static BackupManifestBuilder builder(BackupId backupId, InstanceId instanceId, String commandId) {
        return new BackupManifestBuilder(backupId, instanceId, commandId);
    }

    /** A builder holding this manifest's values, to derive a changed copy. */
    public BackupManifestBuilder toBuilder() {
        return BackupManifestBuilder.from(this);
    }

    /**
     * One object of the backup's data stream.
     *
     * @param rawBytes uncompressed bytes this object holds, when the writer knows it (a cut of one
     *                 zstd stream does not map to raw bytes exactly, so it may be absent)
     */
    public record Part(String key, OptionalLong rawBytes, long storedBytes, Sha256 sha256) {
        public Part {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("manifest part key is missing");
            }
            Objects.requireNonNull(rawBytes, "rawBytes");
            if (rawBytes.isPresent() && rawBytes.getAsLong() < 0) {
                throw new IllegalArgumentException("negative rawBytes in part " + key);
            }
            if (storedBytes < 0) {
                throw new IllegalArgumentException("negative storedBytes in part " + key);
            }
            Objects.requireNonNull(sha256, "sha256 of part " + key);
        }
    }

    /** A tablespace outside the data directory, by OID and original location. */
    public record Tablespace(long oid, String location) {
        public Tablespace {
            if (oid <= 0) {
                throw new IllegalArgumentException("tablespace oid must be positive: " + oid);
            }
            if (location == null || !location.startsWith("/")) {
                throw new IllegalArgumentException("tablespace location must be absolute: '" + location + "'");
            }
        }
    }

    public BackupManifest {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported backup manifest formatVersion " + formatVersion
                    + " (this build reads " + FORMAT_VERSION + ")");
        }
        Objects.requireNonNull(backupId, "backupId");
        Objects.requireNonNull(instanceId, "instanceId");
        if (commandId == null || commandId.isBlank()) {
            throw new IllegalArgumentException("manifest of " + backupId + ": commandId is missing");
        }
        if (timeline < 1 || timeline > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("manifest of " + backupId + ": timeline out of range: " + timeline);
        }
        Objects.requireNonNull(startLsn, "startLsn");
        Objects.requireNonNull(endLsn, "endLsn");
        if (endLsn.isBefore(startLsn)) {
            throw new IllegalArgumentException("manifest of " + backupId + ": endLsn " + endLsn + " before startLsn " + startLsn);
        }
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        if (finishedAt.isBefore(startedAt)) {
            throw new IllegalArgumentException("manifest of " + backupId + ": finishedAt " + finishedAt + " before startedAt " + startedAt);
        }
        if (postgresVersion < 90_000) {
            throw new IllegalArgumentException("manifest of " + backupId + ": postgresVersion is server_version_num, e.g. 150018, not " + postgresVersion);
        }
        BucketLayout.forSegmentSize(walSegmentSize);
        if (rawBytes < 0) {
            throw new IllegalArgumentException("manifest of " + backupId + ": negative rawBytes");
        }
        if (!ZSTD.equals(compression)) {
            throw new IllegalArgumentException("manifest of " + backupId + ": unsupported compression '" + compression + "'");
        }
        parts = List.copyOf(parts);
        tablespaces = List.copyOf(tablespaces);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("manifest of " + backupId + " lists no parts");
        }
        String prefix = BucketLayout.DEFAULT.backupPrefix(backupId);
        Set<String> keys = new HashSet<>();
        long sum = 0;
        for (Part part : parts) {
            if (!part.key().startsWith(prefix)) {
                throw new IllegalArgumentException("manifest of " + backupId + ": part " + part.key() + " is outside " + prefix);
            }
            if (!keys.add(part.key())) {
                throw new IllegalArgumentException("manifest of " + backupId + ": part " + part.key() + " listed twice");
            }
            sum += part.storedBytes();
        }
        if (sum != storedBytes) {
            throw new IllegalArgumentException("manifest of " + backupId + ": storedBytes " + storedBytes
                    + " is not the sum of its parts (" + sum + ")");
        }
    }

    /** The major version ({@code 15} for 150018), which a restore must match. */
    public int postgresMajorVersion() {
        return postgresVersion / 10_000;
    }

    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("formatVersion", formatVersion);
        root.put("backupId", backupId.value());
        root.put("instanceId", instanceId.value());
        root.put("commandId", commandId);
        root.put("timeline", timeline);
        root.put("startLsn", startLsn.toString());
        root.put("endLsn", endLsn.toString());
        root.put("startedAt", startedAt.toString());
        root.put("finishedAt", finishedAt.toString());
        root.put("postgresVersion", postgresVersion);
        root.put("systemIdentifier", Long.toUnsignedString(systemIdentifier));
        root.put("walSegmentSize", walSegmentSize);
        root.put("rawBytes", rawBytes);
        root.put("storedBytes", storedBytes);
        root.put("compression", compression);
        ArrayNode partsNode = root.putArray("parts");
        for (Part part : parts) {
            ObjectNode p = partsNode.addObject();
            p.put("key", part.key());
            if (part.rawBytes().isPresent()) {
                p.put("rawBytes", part.rawBytes().getAsLong());
            } else {
                p.putNull("rawBytes");
            }
            p.put("storedBytes", part.storedBytes());
            p.put("sha256", part.sha256().hex());
        }
        ArrayNode tablespacesNode = root.putArray("tablespaces");
        for (Tablespace t : tablespaces) {
            tablespacesNode.addObject().put("oid", t.oid()).put("location", t.location());
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write manifest of " + backupId, e);
        }
    }

    /** Parses a manifest; every problem is an {@link IllegalArgumentException} saying what and where. */
    public static BackupManifest parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("backup manifest is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("backup manifest is not a JSON object");
        }
        // The version decides how to read the rest, so it is checked before anything else.
        int version = (int) integer(root, "formatVersion", "manifest");
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported backup manifest formatVersion " + version
                    + " (this build reads " + FORMAT_VERSION + ")");
        }
        onlyKnownFields(root, FIELDS, "manifest");
        List<Part> parts = new ArrayList<>();
        for (JsonNode p : array(root, "parts")) {
            String where = "manifest part " + parts.size();
            requireType(p, JsonNodeType.OBJECT, where);
            onlyKnownFields(p, PART_FIELDS, where);
            JsonNode raw = field(p, "rawBytes", where);
            OptionalLong rawBytes = raw.isNull() ? OptionalLong.empty() : OptionalLong.of(integer(p, "rawBytes", where));
            parts.add(new Part(text(p, "key", where), rawBytes, integer(p, "storedBytes", where),
                    value(where + " sha256", () -> Sha256.parse(text(p, "sha256", where)))));
        }
        List<Tablespace> tablespaces = new ArrayList<>();
        for (JsonNode t : array(root, "tablespaces")) {
            String where = "manifest tablespace " + tablespaces.size();
            requireType(t, JsonNodeType.OBJECT, where);
            onlyKnownFields(t, TABLESPACE_FIELDS, where);
            tablespaces.add(new Tablespace(integer(t, "oid", where), text(t, "location", where)));
        }
        return new BackupManifest(version,
                value("backupId", () -> BackupId.parse(text(root, "backupId", "manifest"))),
                value("instanceId", () -> InstanceId.of(text(root, "instanceId", "manifest"))),
                text(root, "commandId", "manifest"),
                integer(root, "timeline", "manifest"),
                value("startLsn", () -> Lsn.parse(text(root, "startLsn", "manifest"))),
                value("endLsn", () -> Lsn.parse(text(root, "endLsn", "manifest"))),
                instant(root, "startedAt"),
                instant(root, "finishedAt"),
                (int) integer(root, "postgresVersion", "manifest"),
                value("systemIdentifier", () -> Long.parseUnsignedLong(text(root, "systemIdentifier", "manifest"))),
                integer(root, "walSegmentSize", "manifest"),
                integer(root, "rawBytes", "manifest"),
                integer(root, "storedBytes", "manifest"),
                text(root, "compression", "manifest"),
                parts, tablespaces);
    }

    public static BackupManifest parse(String json) {
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private interface Reader<T> {
        T read();
    }

    private static <T> T value(String name, Reader<T> reader) {
        try {
            return reader.read();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("backup manifest field " + name + ": " + e.getMessage(), e);
        }
    }

    private static Instant instant(JsonNode node, String name) {
        String text = text(node, name, "manifest");
        if (!text.endsWith("Z")) {
            throw new IllegalArgumentException("backup manifest field " + name + " must be a UTC time ending in Z: '" + text + "'");
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("backup manifest field " + name + " is not an ISO-8601 UTC time: '" + text + "'", e);
        }
    }

    private static JsonNode field(JsonNode node, String name, String where) {
        JsonNode value = node.get(name);
        if (value == null) {
            throw new IllegalArgumentException("backup " + where + " lacks field " + name);
        }
        return value;
    }

    private static String text(JsonNode node, String name, String where) {
        JsonNode value = field(node, name, where);
        requireType(value, JsonNodeType.STRING, where + " field " + name);
        return value.textValue();
    }

    private static long integer(JsonNode node, String name, String where) {
        JsonNode value = field(node, name, where);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException("backup " + where + " field " + name + " must be an integer, not " + value);
        }
        return value.longValue();
    }

    private static Iterable<JsonNode> array(JsonNode node, String name) {
        JsonNode value = field(node, name, "manifest");
        requireType(value, JsonNodeType.ARRAY, "manifest field " + name);
        return value;
    }

    private static void requireType(JsonNode node, JsonNodeType type, String where) {
        if (node.getNodeType() != type) {
            throw new IllegalArgumentException("backup " + where + " must be " + type.name().toLowerCase() + ", not " + node);
        }
    }

    private static void onlyKnownFields(JsonNode node, List<String> known, String where) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new IllegalArgumentException("backup " + where + " has unknown field '" + name
                        + "' (a new field needs a new formatVersion)");
            }
        }
    }
}
