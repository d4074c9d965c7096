package io.tideline.core.basebackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.Sha256;
import io.tideline.core.wal.Lsn;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class BackupManifestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BackupId BACKUP = BackupId.parse("20261124T080102Z-3f9a");
    private static final Sha256 SHA_1 = Sha256.of("one".getBytes(StandardCharsets.UTF_8));
    private static final Sha256 SHA_2 = Sha256.of("two".getBytes(StandardCharsets.UTF_8));

    static BackupManifest sample() {
        return BackupManifest.builder(BACKUP, InstanceId.of("orders-db"), "orders-db/2026-11-24")
                .timeline(1).startLsn(Lsn.parse("0/2000028")).endLsn(Lsn.parse("0/2000138"))
                .startedAt(Instant.parse("2026-11-24T08:01:02.123456Z")).finishedAt(Instant.parse("2026-11-24T08:03:40Z"))
                .postgresVersion(150018).systemIdentifier(Long.parseUnsignedLong("18302912738262720512"))
                .walSegmentSize(16L * 1024 * 1024).rawBytes(3_000_000_000L)
                .parts(List.of(new BackupManifest.Part(BucketLayout.DEFAULT.backupPart(BACKUP, 1), OptionalLong.of(2_000_000_000L), 1_000, SHA_1),
                        new BackupManifest.Part(BucketLayout.DEFAULT.backupPart(BACKUP, 2), OptionalLong.empty(), 2_345, SHA_2)))
                .build();
    }

    @Test
    void roundTripsThroughJson() {
        BackupManifest manifest = sample();
        assertEquals(manifest, BackupManifest.parse(manifest.toJson()));
    }

    @Test
    void writesUtcTimesLsnsAndTheUnsignedSystemIdentifierAsStringsInAFixedOrder() throws Exception {
        JsonNode json = JSON.readTree(sample().toJson());

        assertEquals("2026-11-24T08:01:02.123456Z", json.get("startedAt").textValue());
        assertEquals("0/2000028", json.get("startLsn").textValue());
        assertEquals("0/2000138", json.get("endLsn").textValue());
        assertEquals("18302912738262720512", json.get("systemIdentifier").textValue());
        assertTrue(json.get("parts").get(1).get("rawBytes").isNull());
        assertEquals(SHA_2.hex(), json.get("parts").get(1).get("sha256").textValue());
        List<String> order = new ArrayList<>();
        json.fieldNames().forEachRemaining(order::add);
        assertEquals(List.of("formatVersion", "backupId", "instanceId", "commandId", "timeline", "startLsn", "endLsn",
                "startedAt", "finishedAt", "postgresVersion", "systemIdentifier", "walSegmentSize", "rawBytes",
                "storedBytes", "compression", "parts", "tablespaces"), order);
        assertEquals(15, sample().postgresMajorVersion());
    }

    @Test
    void writingIsDeterministic() {
        assertEquals(new String(sample().toJson(), StandardCharsets.UTF_8), new String(sample().toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownFormatVersionIsRefusedBeforeAnythingElse() {
        // Even a document otherwise unreadable to version 1 is rejected for its version first.
        String error = parseError(json -> {
            json.put("formatVersion", 2);
            json.remove("parts");
            json.put("newThing", true);
        });
        assertTrue(error.contains("formatVersion 2"), error);
    }

    @Test
    void parsingIsLoudAboutEveryDefect() {
        assertTrue(parseError(json -> json.remove("endLsn")).contains("endLsn"));
        assertTrue(parseError(json -> json.put("startLsn", "0-2000028")).contains("startLsn"));
        assertTrue(parseError(json -> json.put("startedAt", "2026-11-24T08:01:02+01:00")).contains("startedAt"));
        assertTrue(parseError(json -> json.put("timeline", "1")).contains("timeline"));
        assertTrue(parseError(json -> json.put("extra", 1)).contains("unknown field 'extra'"));
        assertTrue(parseError(json -> json.put("compression", "gzip")).contains("gzip"));
        assertTrue(parseError(json -> json.put("storedBytes", 1)).contains("sum of its parts"));
        assertTrue(parseError(json -> ((ObjectNode) json.get("parts").get(0)).put("sha256", "abc")).contains("sha256"));
        assertTrue(parseError(json -> ((ObjectNode) json.get("parts").get(0)).put("key", "basebackups/other/x"))
                .contains("outside"));
        assertTrue(parseError(json -> json.putArray("parts")).contains("no parts"));
        assertTrue(parseError(json -> json.put("endLsn", "0/1")).contains("before startLsn"));
        assertTrue(parseError(json -> json.put("backupId", "yesterday")).contains("backupId"));
        assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse("not json"));
        assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse("[]"));
    }

    @Test
    void tablespacesRoundTripWhenPresent() {
        BackupManifest m = sample();
        BackupManifest withTablespace = m.toBuilder().tablespaces(List.of(new BackupManifest.Tablespace(16385, "/srv/ts1"))).build();
        assertEquals(withTablespace, BackupManifest.parse(withTablespace.toJson()));
    }

    private static String parseError(Consumer<ObjectNode> damage) {
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(sample().toJson());
            damage.accept(json);
            byte[] bytes = JSON.writeValueAsBytes(json);
            return assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse(bytes)).getMessage();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
