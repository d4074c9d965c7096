package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.WalSpool;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.platform.local.postgres.DirectoryWalSpool;
import io.tideline.restore.wal.WalController;
import io.tideline.restore.wal.WalServer;
import io.tideline.restore.wal.WalSession;
import io.tideline.restore.wal.WalToken;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAL endpoint as a recovering server's {@code restore_command} sees it, against a real bucket:
 * 200 with verified, decompressed WAL (a partial padded to the segment size), 404 for the end of the
 * archive, 500 naming the object when something is wrong, 403 without the restore's WAL token — and what curl
 * makes of each.
 */
@ExtendWith(FleetExtension.class)
class RestoreWalEndpointIT {

    private static final long SEG = 1 << 20;   // 1 MiB segments keep the objects small
    private static final BucketLayout LAYOUT = BucketLayout.forSegmentSize(SEG);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static RestoreTestBed bed;
    private static EmbeddedServer service;
    private static final Map<RestoreId, Path> tokenFiles = new java.util.concurrent.ConcurrentHashMap<>();
    private static WalServer wal;
    private static ObjectStore store;
    private static InstanceId bucketOwner;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start(Fleet fleet) {
        bed = new RestoreTestBed(fleet);
        service = bed.startService();
        wal = service.getApplicationContext().getBean(WalServer.class);
        bucketOwner = fleet.postgres().newId("walserve");
        fleet.storageProvisioner().provision(bucketOwner);
        store = fleet.objectStores().forInstance(bucketOwner);
    }

    @AfterAll
    static void stop(Fleet fleet) {
        bed.close();
        fleet.objectStores().evict(bucketOwner);
        fleet.storageProvisioner().deprovision(bucketOwner);
    }

    @Test
    void servesVerifiedWalPadsPartialsAndEndsWith404() throws Exception {
        byte[] s1 = walBytes(1, (int) SEG);
        byte[] s2 = walBytes(2, (int) SEG);
        byte[] partial = walBytes(3, 300_000);
        putWal(name(1), s1, false);
        putWal(name(2), s2, false);
        putWal(name(2), Arrays.copyOf(s2, 1000), true);        // a superseded partial: the complete one wins
        putWal(name(3), partial, true);
        store.put(LAYOUT.timelineHistory(2), "1\t0/3000000\tno recovery target specified\n".getBytes(StandardCharsets.UTF_8), Map.of());
        RestoreId id = RestoreId.of(UUID.randomUUID().toString());
        WalSession session = open(id, Set.of(name(1), name(2), name(3)), Optional.empty());
        try {
            assertArrayEquals(s1, ok(get(id, name(1).toString())));
            assertArrayEquals(s2, ok(get(id, name(2).toString())));
            byte[] padded = ok(get(id, name(3).toString()));
            assertEquals(SEG, padded.length, "a partial is served as a whole segment");
            assertArrayEquals(partial, Arrays.copyOf(padded, partial.length));
            assertTrue(allZero(padded, partial.length), "padded with zeros: the server reads the end of valid WAL there");
            assertEquals(404, get(id, name(4).toString()).statusCode(), "past the newest stored WAL: end of archive");
            assertEquals(404, get(id, new WalSegmentName(2, 3, SEG).toString()).statusCode(), "a timeline that has no such segment");
            assertEquals("1\t0/3000000\tno recovery target specified\n",
                    new String(ok(get(id, "00000002.history")), StandardCharsets.UTF_8));
            assertEquals(404, get(id, "00000003.history").statusCode());
            assertEquals(404, get(id, name(3) + ".partial").statusCode(), "the server never gets .partial files");
            assertEquals(403, get(RestoreId.of("not-running"), name(1).toString()).statusCode(),
                    "no such restore here: refused like a wrong token (the answer does not tell which restores run)");
            assertEquals(3, session.segmentsServed());
            assertEquals(name(3), session.newestServed().orElseThrow());
            assertTrue(session.failure().isEmpty());

            // What the server's restore_command does with it: the file on 200, a non-zero exit on 404.
            Path got = tmp.resolve("RECOVERYXLOG");
            assertEquals(0, curl(id, name(2).toString(), got));
            assertArrayEquals(s2, Files.readAllBytes(got));
            Path missing = tmp.resolve("MISSING");
            assertTrue(curl(id, name(9).toString(), missing) != 0);
            assertTrue(!Files.exists(missing) || Files.size(missing) == 0, "nothing the server would take for WAL");
        } finally {
            wal.close(id);
        }
    }

    @Test
    void withoutTheRestoresTokenNothingIsServedAndTheCommandNamesOnlyTheTokenFile() throws Exception {
        putWal(name(60), walBytes(60, (int) SEG), false);
        RestoreId id = RestoreId.of(UUID.randomUUID().toString());
        RestoreId other = RestoreId.of(UUID.randomUUID().toString());
        open(id, Set.of(name(60)), Optional.empty());
        open(other, Set.of(), Optional.empty());
        try {
            String url = WalController.walUrl("http://127.0.0.1:" + service.getPort(), id).replace("%f", name(60).toString());
            HttpResponse<byte[]> none = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(403, none.statusCode(), "no token: the restore id alone opens nothing");
            assertTrue(new String(none.body(), StandardCharsets.UTF_8).contains("without its token"));
            assertEquals(403, send(url, "x".repeat(43)).statusCode(), "a wrong token");
            assertEquals(403, send(url, token(other)).statusCode(), "another running restore's token");
            assertEquals(403, send(url, token(id).substring(1)).statusCode(), "a token cut short");
            assertArrayEquals(walBytes(60, (int) SEG), ok(send(url, token(id))), "the restore's own token");

            // What the server runs (ps) and keeps in its configuration: the token file's name, never the token.
            String command = service.getApplicationContext().getBean(WalEndpoint.class).restoreCommand(id, Optional.empty(), tokenFiles.get(id));
            assertFalse(command.contains(token(id)), command);
            assertTrue(command.contains("-H @\"" + tokenFiles.get(id).toAbsolutePath() + "\""), command);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFiles.get(id))));
            Path got = tmp.resolve("TOKENED");
            assertEquals(0, curl(id, name(60).toString(), got), "curl presents the token from the file");
            assertArrayEquals(walBytes(60, (int) SEG), Files.readAllBytes(got));
        } finally {
            wal.close(id);
            wal.close(other);
        }
        assertEquals(403, send(WalController.walUrl("http://127.0.0.1:" + service.getPort(), id).replace("%f", name(60).toString()),
                token(id)).statusCode(), "the token dies with the restore's WAL session");
    }

    @Test
    void fetchesAheadOfRecovery() throws Exception {
        for (int i = 10; i <= 13; i++) {
            putWal(name(i), walBytes(i, (int) SEG), false);
        }
        RestoreId id = RestoreId.of(UUID.randomUUID().toString());
        open(id, Set.of(), Optional.empty());
        try {
            ok(get(id, name(10).toString()));
            Thread.sleep(1_500);                       // let the prefetch of 11..14 land
            store.delete(LAYOUT.walSegment(name(11)));  // gone from the bucket, already in the cache
            assertArrayEquals(walBytes(11, (int) SEG), ok(get(id, name(11).toString())), "served from what was fetched ahead");
            assertArrayEquals(walBytes(12, (int) SEG), ok(get(id, name(12).toString())));
        } finally {
            wal.close(id);
        }
    }

    @Test
    void segmentsFetchedAheadWaitInTheSpoolAndTheServerTakesThemWithoutAsking() throws Exception {
        for (int i = 40; i <= 52; i++) {
            putWal(name(i), walBytes(i, (int) SEG), false);
        }
        putWal(name(53), walBytes(53, 4096), true);           // the newest WAL: a partial, never spooled
        Path spoolDir = Files.createDirectories(tmp.resolve("wal-spool"));
        WalSpool spool = new DirectoryWalSpool(spoolDir, Optional.empty());
        RestoreId id = RestoreId.of(UUID.randomUUID().toString());
        WalSession session = open(id, Set.of(), Optional.of(spool));
        Path pgWal = Files.createDirectories(tmp.resolve("pg_wal"));
        Path recoveryFile = pgWal.resolve("RECOVERYXLOG");
        try {
            // Nothing spooled yet: the first segment comes over HTTP, and starts the fetching ahead.
            assertEquals(0, restoreCommand(id, Optional.of(spool), name(40).toString(), recoveryFile));
            assertArrayEquals(walBytes(40, (int) SEG), Files.readAllBytes(recoveryFile));
            int ahead = wal.prefetch();
            assertTrue(ahead >= 2, "the test needs a prefetch of at least 2, not " + ahead);
            // Fetched in parallel, so they land in any order: wait for all of them.
            await(() -> java.util.stream.IntStream.rangeClosed(41, 40 + ahead).allMatch(i -> spool.holds(name(i).toString())),
                    "segments 41.." + (40 + ahead) + " spooled");
            assertFalse(spool.holds(name(40).toString()), "what the server already has is not spooled");

            // The server takes the next one from the spool: a rename, no request; the session counts it and fetches further ahead.
            assertEquals(0, restoreCommand(id, Optional.of(spool), name(41).toString(), recoveryFile));
            assertArrayEquals(walBytes(41, (int) SEG), Files.readAllBytes(recoveryFile));
            assertFalse(spool.holds(name(41).toString()), "taken out of the spool");
            await(() -> session.segmentsServed() == 2 && spool.holds(name(41 + ahead).toString()),
                    "the take counted and segment " + (41 + ahead) + " spooled in its place");
            assertEquals(name(41), session.newestServed().orElseThrow());
            assertEquals(1, session.segmentsFromSpool());

            // A request over HTTP for a spooled segment (the server's rename raced the spooling) takes it back.
            assertArrayEquals(walBytes(42, (int) SEG), ok(get(id, name(42).toString())));
            assertFalse(spool.holds(name(42).toString()), "taken back: the spool never hands out a segment twice");
            assertEquals(3, session.segmentsServed());

            // The partial is never spooled; asked for, it is served padded over HTTP, and past it is the end of the archive.
            for (int i = 43; i <= 52; i++) {
                assertEquals(0, restoreCommand(id, Optional.of(spool), name(i).toString(), recoveryFile), "segment " + i);
                assertArrayEquals(walBytes(i, (int) SEG), Files.readAllBytes(recoveryFile), "segment " + i);
            }
            assertFalse(spool.holds(name(53).toString()));
            assertEquals(0, restoreCommand(id, Optional.of(spool), name(53).toString(), recoveryFile));
            assertEquals(SEG, Files.size(recoveryFile), "the partial, padded");
            assertTrue(restoreCommand(id, Optional.of(spool), name(54).toString(), pgWal.resolve("MISSING")) != 0);
            assertFalse(Files.exists(pgWal.resolve("MISSING")), "nothing the server would take for WAL");
            assertEquals(14, session.segmentsServed());
            assertTrue(session.segmentsFromSpool() >= 1);
        } finally {
            wal.close(id);
        }
        try (var left = Files.list(spoolDir)) {
            assertEquals(List.of(), left.toList(), "the spool is emptied when the restore's WAL is closed");
        }
    }

    @Test
    void aCorruptObjectOrAVanishedRequiredSegmentFailsTheRestoreNamingIt() throws Exception {
        byte[] good = walBytes(20, (int) SEG);
        putWal(name(20), good, false);
        String key = LAYOUT.walSegment(name(20));
        RestoreId corrupt = RestoreId.of(UUID.randomUUID().toString());
        WalSession session = open(corrupt, Set.of(name(20)), Optional.empty());
        try {
            // The stored (encrypted) bytes, as bit rot on the server would change them.
            byte[] stored = bed.fleet.s3().adminClient().getObjectAsBytes(b -> b.bucket(store.bucket()).key(key)).asByteArray();
            stored[stored.length / 2] ^= 0x5A;
            var head = store.head(key).orElseThrow();
            rewriteKeepingMetadata(key, stored, head.requireSha256());
            HttpResponse<byte[]> answer = get(corrupt, name(20).toString());
            assertEquals(500, answer.statusCode());
            String why = new String(answer.body(), StandardCharsets.UTF_8);
            assertTrue(why.contains("checksum mismatch") && why.contains(key), why);
            assertTrue(session.failure().orElseThrow().contains(key));
            putWal(name(21), walBytes(21, (int) SEG), false);
            assertEquals(500, get(corrupt, name(21).toString()).statusCode(), "once failed, recovery cannot go on past it");
            assertTrue(curl(corrupt, name(21).toString(), tmp.resolve("X")) != 0);
        } finally {
            wal.close(corrupt);
        }

        RestoreId vanished = RestoreId.of(UUID.randomUUID().toString());
        WalSession required = open(vanished, Set.of(name(30)), Optional.empty());
        try {
            HttpResponse<byte[]> answer = get(vanished, name(30).toString());
            assertEquals(500, answer.statusCode(), "a segment stored when the restore began must not be taken for the end");
            assertTrue(required.failure().orElseThrow().contains(LAYOUT.walSegment(name(30))), required.failure().get());
        } finally {
            wal.close(vanished);
        }
    }

    private static void rewriteKeepingMetadata(String key, byte[] bytes, Sha256 recorded) {
        var original = bed.fleet.s3().adminClient().headObject(b -> b.bucket(store.bucket()).key(key));
        bed.fleet.s3().adminClient().putObject(b -> b.bucket(store.bucket()).key(key).metadata(original.metadata()),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(bytes));
        assertEquals(recorded.hex(), store.head(key).orElseThrow().requireSha256().hex(), "the recorded sha256 is kept");
    }

    private static void putWal(WalSegmentName segment, byte[] raw, boolean partial) {
        WalObjectMetadata meta = new WalObjectMetadata(segment.startLsn(), segment.startLsn().plus(raw.length), Sha256.of(raw));
        String key = partial ? LAYOUT.walPartial(segment) : LAYOUT.walSegment(segment);
        store.put(key, Zstd.compress(raw, 3), meta.toMap());
    }

    private static byte[] walBytes(int seed, int length) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static WalSegmentName name(long segment) {
        return new WalSegmentName(1, segment, SEG);
    }

    /** Serves the restore's WAL as HostRecovery does: with a fresh token, its header file written for curl. */
    private static WalSession open(RestoreId id, Set<WalSegmentName> required, Optional<WalSpool> spool) throws Exception {
        WalToken token = WalToken.random(new java.security.SecureRandom());
        Path file = token.writeHeaderFile(tmp.resolve("wal-token-" + id.value()), Files.getOwner(tmp));
        tokenFiles.put(id, file);
        return wal.open(id, store, LAYOUT, required, spool, token);
    }

    /** The token as the header file holds it (what the recovering server's curl sends). */
    private static String token(RestoreId id) throws Exception {
        String line = Files.readString(tokenFiles.get(id)).strip();
        assertTrue(line.startsWith(WalToken.HEADER + ": "), "a header line: " + WalToken.HEADER);
        return line.substring(WalToken.HEADER.length() + 2);
    }

    private static HttpResponse<byte[]> get(RestoreId id, String file) throws Exception {
        String url = WalController.walUrl("http://127.0.0.1:" + service.getPort(), id).replace("%f", file);
        return send(url, tokenFiles.containsKey(id) ? token(id) : "no-token");
    }

    private static HttpResponse<byte[]> send(String url, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header(WalToken.HEADER, token).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] ok(HttpResponse<byte[]> response) {
        assertEquals(200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
        return response.body();
    }

    private static int curl(RestoreId id, String file, Path to) throws Exception {
        return restoreCommand(id, Optional.empty(), file, to);
    }

    /** Runs the service's {@code restore_command} for one file the way the server does: through sh, %f and %p replaced. */
    private static int restoreCommand(RestoreId id, Optional<WalSpool> spool, String file, Path to) throws Exception {
        String command = service.getApplicationContext().getBean(WalEndpoint.class).restoreCommand(id, spool, tokenFiles.get(id));
        Process p = new ProcessBuilder("sh", "-c", command.replace("%p", to.toString()).replace("%f", file)).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue();
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for: " + what);
            Thread.sleep(20);
        }
    }

    private static boolean allZero(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
