package io.tideline.core.basebackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tideline.core.wal.Lsn;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ServerManifestTest {

    /** The shape of PostgreSQL 15's backup_manifest (files list shortened). */
    static final String MANIFEST = """
            { "PostgreSQL-Backup-Manifest-Version": 1,
            "Files": [
            { "Path": "backup_label", "Size": 225, "Last-Modified": "2026-11-24 08:45:32 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "f2b5d3c4" },
            { "Path": "global/pg_control", "Size": 8192, "Last-Modified": "2026-11-24 08:45:32 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "0a1b2c3d" }
            ],
            "WAL-Ranges": [
            { "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000100" }
            ],
            "Manifest-Checksum": "04be8640225a3422f59b146439a4a6e8270e0d0eb388cf1d647d90adcb11e986"}
            """;

    @Test
    void readsTheWalRange() {
        ServerManifest m = ServerManifest.parse(MANIFEST.getBytes(StandardCharsets.UTF_8));
        assertEquals(Lsn.parse("0/2000028"), m.start());
        assertEquals(Lsn.parse("0/2000100"), m.end());
        assertEquals(1, m.startTimeline());
    }

    @Test
    void aBackupAcrossATimelineSwitchEndsOnTheLastRange() {
        String two = MANIFEST.replace("{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000100\" }",
                "{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/3000000\" },\n"
                        + "{ \"Timeline\": 2, \"Start-LSN\": \"0/3000000\", \"End-LSN\": \"0/3000200\" }");
        ServerManifest m = ServerManifest.parse(two.getBytes(StandardCharsets.UTF_8));
        assertEquals(2, m.walRanges().size());
        assertEquals(1, m.startTimeline());
        assertEquals(Lsn.parse("0/3000200"), m.end());
    }

    @Test
    void aManifestWithoutWalRangesOrWithBrokenOnesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ServerManifest.parse(
                "{\"Files\": []}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> ServerManifest.parse(
                MANIFEST.replace("\"End-LSN\": \"0/2000100\"", "\"End-LSN\": \"0/2000000\"").getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> ServerManifest.parse(
                "not json".getBytes(StandardCharsets.UTF_8)));
    }
}
