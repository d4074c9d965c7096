package io.tideline.testkit;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdOutputStream;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.basebackup.BaseBackupTarScan;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.MultipartUpload;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.TimelineHistory;
import io.tideline.core.wal.WalSegmentName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Writes REAL archive artifacts of a running test cluster into its bucket, exactly in the archiver's
 * layout ({@link BucketLayout}) and formats ({@link BackupManifest}, {@link WalObjectMetadata}), so the
 * restore and retention services can be tested against a bucket that looks like one the archiver
 * filled, without running the archiver:
 * <ul>
 *   <li>{@link #seedBaseBackup()} — {@code pg_basebackup -D - -Ft -X none --checkpoint=fast -v} as a
 *       child process; its tar stream goes through one zstd stream cut into {@code data.tar.zst.partNNNN}
 *       objects, sha256 of each recorded; start/end LSN and timeline are read from the stream's own
 *       {@code backup_label} and {@code backup_manifest} (PostgreSQL 15 does not print them with
 *       {@code -X none}); the manifest is written last.</li>
 *   <li>{@link #seedAllCompletedWal()} / {@link #seedWalThrough(Lsn)} — {@code pg_switch_wal()} when
 *       needed, then every completed segment not seeded yet, read from the server with
 *       {@code pg_read_binary_file('pg_wal/<name>')} (superuser), compressed with zstd and stored with
 *       {@code putIfAbsentOrSame} under {@code wal/<tl>/<segment>.zst}; the segment's partial object, if
 *       any, is removed afterwards, as the archiver does. History files of the current timeline are
 *       stored first.</li>
 *   <li>{@link #seedPartial()} — the current segment up to {@code pg_current_wal_lsn()}.</li>
 *   <li>{@link #corrupt(String)} — changes one byte of a stored object and keeps its metadata (the
 *       recorded sha256 included): bit rot as the store would show it, for negative tests.</li>
 * </ul>
 * A physical replication slot ({@value #SLOT}) is created on attach and advanced past what was seeded,
 * so a checkpoint (every {@code --checkpoint=fast} backup makes one) cannot recycle a segment before it
 * is seeded; {@link #close()} drops it. One seeder per instance and test; not thread-safe.
 */
public final class BucketSeeder implements AutoCloseable {

    /** The replication slot that keeps unseeded WAL on the server. */
    public static final String SLOT = "tideline_bucket_seeder";
    /** Like the archiver's: about 1 GiB per object, so a test backup is one part unless a test asks for more. */
    public static final long DEFAULT_PART_SIZE = 1L << 30;
    public static final int ZSTD_LEVEL = 3;

    private static final Logger LOG = LoggerFactory.getLogger(BucketSeeder.class);
    private static final String SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final long BASEBACKUP_TIMEOUT_MINUTES = 5;

    private final PostgresClusters clusters;
    private final ProvisionedInstance instance;
    private final ObjectStore store;
    private final S3Client rawClient;
    private final Clock clock;
    private final long partSize;
    private final long segmentSize;
    private final BucketLayout layout;
    private final SecureRandom random = new SecureRandom();
    /** The first segment of the current timeline that this seeder has not stored yet. */
    private WalSegmentName nextSegment;

    /** What one {@link #seedBaseBackup()} stored. */
    public record SeededBackup(BackupManifest manifest, StoredObject manifestObject, List<StoredObject> parts, String stderr) {
        public SeededBackup {
            Objects.requireNonNull(manifest, "manifest");
            Objects.requireNonNull(manifestObject, "manifestObject");
            parts = List.copyOf(parts);
        }

        public BackupId backupId() {
            return manifest.backupId();
        }

        /** The event the archiver would publish for this backup once its WAL is stored too. */
        public io.tideline.schemas.BackupCompleted completedEvent(Instant occurredAt) {
            return io.tideline.schemas.BackupCompleted.newBuilder()
                    .setEventId(UUID.randomUUID())
                    .setInstanceId(manifest.instanceId().value())
                    .setOccurredAt(occurredAt)
                    .setBackupId(manifest.backupId().value())
                    .setCommandId(manifest.commandId())
                    .setTimeline((int) manifest.timeline())
                    .setStartLsn(manifest.startLsn().toString())
                    .setEndLsn(manifest.endLsn().toString())
                    .setStartedAt(manifest.startedAt())
                    .setFinishedAt(manifest.finishedAt())
                    .setBytesRaw(manifest.rawBytes())
                    .setBytesStored(manifest.storedBytes())
                    .setManifestKey(manifestObject.key())
                    .build();
        }
    }

    /**
     * One WAL object stored by the seeder: a complete segment or a partial.
     *
     * @param walMetadata what the stored object's metadata says, its {@code stored-at} (the seeder's clock just
     *                    before the PUT, as the archiver stamps it) included
     * @param storedAt    when the store confirmed it, as the archiver's {@code WalSegmentStored} says
     */
    public record SeededWal(WalSegmentName segment, boolean partial, WalObjectMetadata walMetadata, StoredObject object,
                            Instant storedAt) {
        public SeededWal {
            Objects.requireNonNull(segment, "segment");
            Objects.requireNonNull(walMetadata, "walMetadata");
            Objects.requireNonNull(object, "object");
            Objects.requireNonNull(storedAt, "storedAt");
        }

        public String key() {
            return object.key();
        }

        public Lsn endLsn() {
            return walMetadata.endLsn();
        }

        /** The event the archiver would publish for this object. */
        public io.tideline.schemas.WalSegmentStored storedEvent(InstanceId instance) {
            return io.tideline.schemas.WalSegmentStored.newBuilder()
                    .setEventId(UUID.randomUUID())
                    .setInstanceId(instance.value())
                    .setOccurredAt(storedAt)
                    .setTimeline((int) segment.timeline())
                    .setSegment(segment.toString())
                    .setStartLsn(walMetadata.startLsn().toString())
                    .setEndLsn(walMetadata.endLsn().toString())
                    .setBytes(walMetadata.rawBytes())
                    .setStoredBytes(object.size())
                    .setSha256(walMetadata.rawSha256().hex())
                    .setObjectKey(object.key())
                    .setStoredAt(storedAt)
                    .setPartial(partial)
                    .build();
        }
    }

    private BucketSeeder(PostgresClusters clusters, ProvisionedInstance instance, ObjectStore store, S3Client rawClient,
                         Clock clock, long partSize) {
        this.clusters = clusters;
        this.instance = instance;
        this.store = store;
        this.rawClient = rawClient;
        this.clock = clock;
        this.partSize = partSize;
        this.segmentSize = querySegmentSize();
        this.layout = BucketLayout.forSegmentSize(segmentSize);
        this.nextSegment = reserveWal();
    }

    /** A seeder for an instance made by {@code fleet.onboarding()}, writing with the instance's own bucket credentials. */
    public static BucketSeeder attach(Fleet fleet, InstanceId id) {
        ProvisionedInstance instance = fleet.postgres().provisioner().find(id)
                .orElseThrow(() -> new IllegalArgumentException("no local PostgreSQL instance " + id));
        return attach(fleet.postgres(), instance, fleet.objectStores().forInstance(id), fleet.s3().adminClient());
    }

    /**
     * A seeder for {@code instance} writing into {@code store}. {@code rawClient} (an S3 client that
     * reaches the store's bucket, e.g. {@link S3Server#adminClient()}) is only used by {@link #corrupt}.
     */
    public static BucketSeeder attach(PostgresClusters clusters, ProvisionedInstance instance, ObjectStore store,
                                      S3Client rawClient) {
        return attach(clusters, instance, store, rawClient, Clock.systemUTC(), DEFAULT_PART_SIZE);
    }

    /** As {@link #attach(PostgresClusters, ProvisionedInstance, ObjectStore, S3Client)}, with a clock and the size of backup objects. */
    public static BucketSeeder attach(PostgresClusters clusters, ProvisionedInstance instance, ObjectStore store,
                                      S3Client rawClient, Clock clock, long partSize) {
        if (partSize < 1) {
            throw new IllegalArgumentException("part size must be positive: " + partSize);
        }
        return new BucketSeeder(Objects.requireNonNull(clusters), Objects.requireNonNull(instance),
                Objects.requireNonNull(store), Objects.requireNonNull(rawClient), Objects.requireNonNull(clock), partSize);
    }

    public BucketLayout layout() {
        return layout;
    }

    public ObjectStore store() {
        return store;
    }

    public ProvisionedInstance instance() {
        return instance;
    }

    // ---------------------------------------------------------------------------------------------
    // base backups

    /** A base backup with command id {@code seed:<backup-id>}. */
    public SeededBackup seedBaseBackup() {
        return seedBaseBackup(null);
    }

    /**
     * Runs {@code pg_basebackup} and stores its stream and manifest. Returns once the manifest is
     * stored. The backup is complete but not restorable until WAL through its end LSN is seeded too
     * ({@code seedWalThrough(backup.manifest().endLsn())}).
     *
     * @param commandId the manifest's command id; {@code null} for {@code seed:<backup-id>}
     */
    public SeededBackup seedBaseBackup(String commandId) {
        return seedBaseBackup(commandId, ZSTD_LEVEL);
    }

    /** As {@link #seedBaseBackup(String)}, compressed at zstd {@code level} (the archiver's default is 1; a benchmark matches it). */
    public SeededBackup seedBaseBackup(String commandId, int level) {
        Instant startedAt = clock.instant();
        BackupId id = BackupId.of(startedAt, suffix());
        String command = commandId != null ? commandId : "seed:" + id.value();
        int serverVersion = Integer.parseInt(queryText("SELECT current_setting('server_version_num')"));
        long systemIdentifier = Long.parseLong(queryText("SELECT system_identifier::text FROM pg_control_system()"));

        List<String> argv = List.of(binary("pg_basebackup").toString(),
                "-h", instance.host(), "-p", Integer.toString(instance.port()), "-U", instance.replicationUser(),
                "-w", "-D", "-", "-Ft", "-X", "none", "--checkpoint=fast", "-v");
        ProcessBuilder pb = new ProcessBuilder(argv);
        // The password goes through the environment, never the command line (visible in ps).
        pb.environment().put("PGPASSWORD", clusters.secrets().get(instance.replicationSecret()));
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv.get(0), e);
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // pg_basebackup -w reads nothing from stdin; a failed close changes nothing.
        }
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));

        PartWriter parts = new PartWriter(id);
        BaseBackupTarScan.Result scan;
        try (InputStream tar = process.getInputStream()) {
            try (ZstdOutputStream zstd = new ZstdOutputStream(parts, level)) {
                zstd.setChecksum(true);
                scan = BaseBackupTarScan.read(tar, zstd);
            }
            if (!process.waitFor(BASEBACKUP_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("pg_basebackup of " + instance.id() + " did not end within "
                        + BASEBACKUP_TIMEOUT_MINUTES + " minutes");
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            process.destroyForcibly();
            parts.abort();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("base backup of " + instance.id() + " failed: " + e.getMessage()
                    + "\n" + stderr.getNow(""), e);
        }
        String log = stderr.join();
        if (process.exitValue() != 0) {
            parts.abort();
            throw new IllegalStateException("pg_basebackup of " + instance.id() + " exited with " + process.exitValue() + ":\n" + log);
        }
        // The backup became consistent when pg_basebackup finished (backup stop): its end LSN's moment.
        Instant finishedAt = clock.instant();
        List<StoredObject> stored = parts.finish();
        try {
            scan.requireAgreement();
        } catch (RuntimeException e) {
            stored.forEach(o -> store.delete(o.key()));
            throw e;
        }

        List<BackupManifest.Part> manifestParts = stored.stream()
                .map(o -> new BackupManifest.Part(o.key(), OptionalLong.empty(), o.size(), o.requireSha256()))
                .toList();
        BackupManifest manifest = BackupManifest.builder(id, instance.id(), command)
                .timeline(scan.label().timeline()).startLsn(scan.label().startLsn()).endLsn(scan.manifest().end())
                .startedAt(startedAt).finishedAt(finishedAt).postgresVersion(serverVersion)
                .systemIdentifier(systemIdentifier).walSegmentSize(segmentSize).rawBytes(scan.rawBytes())
                .parts(manifestParts).build();
        StoredObject manifestObject = store.put(layout.backupManifest(id), manifest.toJson(), Map.of());
        LOG.info("seeded base backup {} of {}: {} → {}, {} raw bytes in {} part(s)", id, instance.id(),
                manifest.startLsn(), manifest.endLsn(), manifest.rawBytes(), stored.size());
        return new SeededBackup(manifest, manifestObject, stored, log);
    }

    /** Cuts one zstd stream into objects of {@code partSize} bytes, each its own (multipart) upload. */
    private final class PartWriter extends OutputStream {
        private final BackupId backup;
        private final List<StoredObject> done = new ArrayList<>();
        private MultipartUpload current;

        PartWriter(BackupId backup) {
            this.backup = backup;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            while (length > 0) {
                if (current == null) {
                    current = store.openMultipart(layout.backupPart(backup, done.size() + 1), Map.of());
                }
                int n = (int) Math.min(length, partSize - current.bytesWritten());
                current.write(bytes, offset, n);
                offset += n;
                length -= n;
                if (current.bytesWritten() == partSize) {
                    done.add(current.complete());
                    current = null;
                }
            }
        }

        List<StoredObject> finish() {
            if (current != null) {
                done.add(current.complete());
                current = null;
            }
            if (done.isEmpty()) {
                throw new IllegalStateException("pg_basebackup produced no bytes");
            }
            return List.copyOf(done);
        }

        void abort() {
            if (current != null) {
                current.abort();
            }
            done.forEach(o -> store.delete(o.key()));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // WAL

    /** Switches to a new segment and stores every completed segment not stored yet. */
    public List<SeededWal> seedAllCompletedWal() {
        switchWal();
        return seedUpTo(currentSegment());
    }

    /**
     * Stores, as complete segments, every byte of WAL before {@code lsn} that is not stored yet,
     * switching to a new segment first if {@code lsn} lies in the one being written.
     */
    public List<SeededWal> seedWalThrough(Lsn lsn) {
        Lsn written = currentLsn();
        if (lsn.isAfter(written)) {
            throw new IllegalArgumentException("cannot seed WAL through " + lsn + ": the server has written only up to " + written);
        }
        if (lsn.equals(Lsn.ZERO)) {
            return List.of();
        }
        WalSegmentName last = WalSegmentName.of(timeline(), lsn.minus(1), segmentSize);
        if (last.compareTo(currentSegment()) >= 0) {
            switchWal();
        }
        return seedUpTo(last.next());
    }

    /**
     * Stores the segment being written, from its start up to {@code pg_current_wal_lsn()}, as its
     * {@code .partial.zst} object (replacing an earlier partial of it). Empty when the server is exactly
     * at a segment boundary (nothing to store).
     */
    public Optional<SeededWal> seedPartial() {
        Lsn written = currentLsn();
        WalSegmentName segment = WalSegmentName.of(timeline(), written, segmentSize);
        int length = (int) segment.offsetOf(written);
        if (length == 0) {
            return Optional.empty();
        }
        storeHistory(segment.timeline());
        byte[] bytes = readWalFile(segment, length);
        WalObjectMetadata meta = WalObjectMetadata.written(segment.startLsn(), segment.startLsn().plus(length), Sha256.of(bytes),
                clock.instant());
        StoredObject object = store.put(layout.walPartial(segment), compress(bytes), meta.toMap());
        Instant storedAt = clock.instant();
        LOG.info("seeded partial {} of {} up to {}", segment, instance.id(), meta.endLsn());
        return Optional.of(new SeededWal(segment, true, meta, object, storedAt));
    }

    /** {@code pg_switch_wal()}: ends the segment being written (a no-op at a segment boundary). */
    public Lsn switchWal() {
        return Lsn.parse(queryText("SELECT pg_switch_wal()::text"));
    }

    /** {@code pg_current_wal_lsn()}: how far the server has written WAL. */
    public Lsn currentLsn() {
        return Lsn.parse(queryText("SELECT pg_current_wal_lsn()::text"));
    }

    /** The server's current timeline. */
    public long timeline() {
        // pg_walfile_name uses the timeline WAL is inserted on now (pg_control_checkpoint lags a promotion).
        return Long.parseLong(queryText("SELECT pg_walfile_name(pg_current_wal_lsn())").substring(0, 8), 16);
    }

    private WalSegmentName currentSegment() {
        return WalSegmentName.of(timeline(), currentLsn(), segmentSize);
    }

    /** Stores segments {@code [nextSegment, end)} of the current timeline. */
    private List<SeededWal> seedUpTo(WalSegmentName end) {
        long tli = end.timeline();
        storeHistory(tli);
        if (nextSegment.timeline() != tli) {
            // The server switched timelines since (a promotion): the new timeline's files begin at its switch segment.
            nextSegment = firstSegmentOf(tli, nextSegment.onTimeline(tli));
        }
        List<SeededWal> seeded = new ArrayList<>();
        while (nextSegment.compareTo(end) < 0) {
            WalSegmentName segment = nextSegment;
            byte[] bytes = readWalFile(segment, (int) segmentSize);
            WalObjectMetadata written = WalObjectMetadata.written(segment.startLsn(), segment.endLsn(), Sha256.of(bytes), clock.instant());
            StoredObject object = store.putIfAbsentOrSame(layout.walSegment(segment), compress(bytes), written.toMap());
            Instant storedAt = clock.instant();
            store.delete(layout.walPartial(segment));
            // Stored before (same bytes): that object, with its own earlier stored-at, is what the bucket holds.
            seeded.add(new SeededWal(segment, false, WalObjectMetadata.from(object), object, storedAt));
            nextSegment = segment.next();
            advanceSlot(segment.endLsn());
        }
        if (!seeded.isEmpty()) {
            LOG.info("seeded WAL {}..{} of {}", seeded.get(0).segment(), seeded.get(seeded.size() - 1).segment(), instance.id());
        }
        return seeded;
    }

    /** Stores the current timeline's history file (timeline 1 has none); the same content again is fine. */
    private void storeHistory(long tli) {
        if (tli == 1) {
            return;
        }
        String content = queryText("SELECT convert_from(pg_read_binary_file('pg_wal/" + TimelineHistory.fileName(tli) + "'), 'UTF8')");
        TimelineHistory.parse(tli, content);
        store.putIfAbsentOrSame(layout.timelineHistory(tli), content.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private WalSegmentName firstSegmentOf(long tli, WalSegmentName candidate) {
        if (tli == 1) {
            return candidate;
        }
        String content = queryText("SELECT convert_from(pg_read_binary_file('pg_wal/" + TimelineHistory.fileName(tli) + "'), 'UTF8')");
        List<TimelineHistory.Entry> entries = TimelineHistory.parse(tli, content).entries();
        // The last line is where this timeline began: its own files start at that segment.
        Lsn switchPoint = entries.isEmpty() ? Lsn.ZERO : entries.get(entries.size() - 1).switchPoint();
        WalSegmentName first = WalSegmentName.of(tli, switchPoint, segmentSize);
        return first.compareTo(candidate) > 0 ? first : candidate;
    }

    private byte[] readWalFile(WalSegmentName segment, int length) {
        try (Connection c = clusters.connect(instance);
             PreparedStatement s = c.prepareStatement("SELECT pg_read_binary_file(?, 0, ?)")) {
            s.setString(1, "pg_wal/" + segment);
            s.setLong(2, length);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                byte[] bytes = rs.getBytes(1);
                if (bytes.length != length) {
                    throw new IllegalStateException("pg_wal/" + segment + " of " + instance.id() + " gave " + bytes.length
                            + " bytes, not " + length);
                }
                return bytes;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read pg_wal/" + segment + " of " + instance.id()
                    + " (was it recycled before it was seeded?): " + e.getMessage(), e);
        }
    }

    private static byte[] compress(byte[] bytes) {
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            ctx.setLevel(ZSTD_LEVEL).setChecksum(true).setContentSize(true);
            byte[] out = new byte[(int) Zstd.compressBound(bytes.length)];
            int size = ctx.compressByteArray(out, 0, out.length, bytes, 0, bytes.length);
            return Arrays.copyOf(out, size);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // negative tests

    /**
     * Changes one byte in the middle of the object under {@code key} and writes it back with the SAME
     * user metadata, the recorded sha256 included, as bit rot on the storage server would: readers that
     * verify ({@code getVerified}, {@code openVerified} against the manifest) must notice.
     */
    public void corrupt(String key) {
        ResponseBytes<GetObjectResponse> original = rawClient.getObjectAsBytes(
                GetObjectRequest.builder().bucket(store.bucket()).key(key).build());
        byte[] bytes = original.asByteArray();
        if (bytes.length == 0) {
            throw new IllegalArgumentException("object " + key + " is empty: nothing to corrupt");
        }
        bytes[bytes.length / 2] ^= 0x5A;
        Map<String, String> metadata = new HashMap<>(original.response().metadata());
        rawClient.putObject(PutObjectRequest.builder().bucket(store.bucket()).key(key).metadata(metadata).build(),
                RequestBody.fromBytes(bytes));
        LOG.info("corrupted {} in {} (byte {} flipped, metadata kept)", key, store.bucket(), bytes.length / 2);
    }

    // ---------------------------------------------------------------------------------------------

    /** Drops the slot, so the server may recycle WAL again; the bucket is left as it is. */
    @Override
    public void close() {
        try (Connection c = clusters.connect(instance);
             PreparedStatement s = c.prepareStatement(
                     "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, SLOT);
            s.execute();
        } catch (SQLException e) {
            // A stopped or destroyed server has no slot to keep WAL for anyone.
            LOG.debug("could not drop slot {} on {}: {}", SLOT, instance.id(), e.getMessage());
        }
    }

    private long querySegmentSize() {
        return Long.parseLong(queryText("SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"));
    }

    /** Creates (or finds) the slot; seeding starts at the segment of its restart LSN. */
    private WalSegmentName reserveWal() {
        try (Connection c = clusters.connect(instance); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    s.execute("SELECT pg_create_physical_replication_slot('" + SLOT + "', true)");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")) {
                rs.next();
                Lsn restart = Lsn.parse(rs.getString(1));
                long tli = timeline();
                return firstSegmentOf(tli, WalSegmentName.of(tli, restart, segmentSize));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create replication slot " + SLOT + " on " + instance.id() + ": " + e.getMessage(), e);
        }
    }

    private void advanceSlot(Lsn upTo) {
        try (Connection c = clusters.connect(instance);
             PreparedStatement s = c.prepareStatement("SELECT pg_replication_slot_advance(?, ?::pg_lsn)")) {
            s.setString(1, SLOT);
            s.setString(2, upTo.toString());
            s.execute();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot advance slot " + SLOT + " of " + instance.id() + " to " + upTo + ": " + e.getMessage(), e);
        }
    }

    private String queryText(String sql) {
        try (Connection c = clusters.connect(instance); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from: " + sql);
            }
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("query on " + instance.id() + " failed (" + sql + "): " + e.getMessage(), e);
        }
    }

    private Path binary(String name) {
        return clusters.provisioner().config().binDir().resolve(name);
    }

    private String suffix() {
        StringBuilder b = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            b.append(SUFFIX_ALPHABET.charAt(random.nextInt(SUFFIX_ALPHABET.length())));
        }
        return b.toString();
    }

    private static String readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(stderr unreadable: " + e.getMessage() + ")";
        }
    }
}
