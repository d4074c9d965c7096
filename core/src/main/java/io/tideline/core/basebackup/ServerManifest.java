package io.tideline.core.basebackup;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.core.wal.Lsn;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a reader of the tar stream needs from the server's {@code backup_manifest}, the last member of the tar stream:
 * the WAL a restore of this backup must replay ({@code WAL-Ranges}). Its end is the backup's end LSN,
 * the position from which the copy is consistent. (The file itself stays in the tar, so
 * {@code pg_verifybackup} can check a restored copy.)
 *
 * @param walRanges one range per timeline the backup spanned, in order
 */
public record ServerManifest(List<WalRange> walRanges) {

    public static final String FILE_NAME = "backup_manifest";
    // The source is a member of the tar stream being read: closing it would close the whole stream.
    private static final ObjectMapper JSON = new ObjectMapper().configure(JsonParser.Feature.AUTO_CLOSE_SOURCE, false);

    /** WAL {@code [start, end)} of one timeline. */
    public record WalRange(long timeline, Lsn start, Lsn end) {
        public WalRange {
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(end, "end");
            if (timeline < 1 || timeline > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("backup_manifest: timeline out of range: " + timeline);
            }
            if (end.isBefore(start)) {
                throw new IllegalArgumentException("backup_manifest: WAL range ends at " + end + " before it starts at " + start);
            }
        }
    }

    public ServerManifest {
        walRanges = List.copyOf(walRanges);
        if (walRanges.isEmpty()) {
            throw new IllegalArgumentException("backup_manifest lists no WAL range");
        }
    }

    public Lsn start() {
        return walRanges.get(0).start();
    }

    public Lsn end() {
        return walRanges.get(walRanges.size() - 1).end();
    }

    public long startTimeline() {
        return walRanges.get(0).timeline();
    }

    public static ServerManifest parse(byte[] json) {
        return parse(new ByteArrayInputStream(json));
    }

    /**
     * Reads the manifest as a stream: only {@code WAL-Ranges} is kept, the per-file list (which runs
     * to hundreds of megabytes for clusters with millions of files) is skipped without being held.
     */
    public static ServerManifest parse(InputStream json) {
        try (JsonParser parser = JSON.getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("backup_manifest is not a JSON object");
            }
            List<WalRange> result = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("WAL-Ranges".equals(field)) {
                    if (value != JsonToken.START_ARRAY) {
                        throw new IllegalArgumentException("backup_manifest WAL-Ranges is not an array");
                    }
                    result = new ArrayList<>();
                    for (JsonNode r : (Iterable<JsonNode>) JSON.readTree(parser)) {
                        result.add(range(r));
                    }
                } else {
                    parser.skipChildren();
                }
            }
            if (result == null) {
                throw new IllegalArgumentException("backup_manifest has no WAL-Ranges array");
            }
            return new ServerManifest(result);
        } catch (IOException e) {
            throw new IllegalArgumentException("backup_manifest is not JSON: " + e.getMessage(), e);
        }
    }

    private static WalRange range(JsonNode r) {
        JsonNode tli = r.get("Timeline");
        if (tli == null || !tli.canConvertToLong()) {
            throw new IllegalArgumentException("backup_manifest WAL range without a Timeline: " + r);
        }
        return new WalRange(tli.asLong(), Lsn.parse(text(r, "Start-LSN")), Lsn.parse(text(r, "End-LSN")));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("backup_manifest WAL range without " + field + ": " + node);
        }
        return value.textValue();
    }
}
