package io.tideline.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.WalHole;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.platform.local.storage.EmbeddedStorageProvisioner;
import io.tideline.testkit.S3Extension;
import io.tideline.testkit.S3Server;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, against the real S3 server: {@link BucketVerifier} proves objects by the bytes it reads. A clean
 * bucket verifies clean; a byte flipped under an unchanged recorded checksum (what {@code audit}, comparing
 * metadata with metadata, called "ok") is found and named, whether in a WAL object or a backup part, and the
 * window is cut at it.
 */
@ExtendWith(S3Extension.class)
class BucketVerifierIT {

    private static final Instant START = Instant.parse("2026-12-07T10:00:00Z");

    @TempDir
    Path secretsDir;

    private S3Server server;
    private EmbeddedStorageProvisioner provisioner;
    private ObjectStores stores;
    private InstanceId instance;
    private ObjectStore store;
    private VerifyBed.Seeded seeded;

    @BeforeEach
    void seed(S3Server server) {
        this.server = server;
        ObjectStoreSettings settings = ObjectStoreSettings.defaults(server.endpoint()).withRegion(server.region());
        DirectorySecretStore secrets = new DirectorySecretStore(secretsDir);
        provisioner = new EmbeddedStorageProvisioner(server.adminClient(), server.identitiesDir(), secrets, settings,
                Clock.systemUTC(), new SecureRandom());
        byte[] suffix = new byte[4];
        new SecureRandom().nextBytes(suffix);
        instance = InstanceId.of("verify-" + HexFormat.of().formatHex(suffix));
        provisioner.provision(instance);
        stores = new ObjectStores(settings, secrets, Clock.systemUTC());
        store = stores.forInstance(instance);
        seeded = VerifyBed.seed(store, instance, 2, 3 << 20, 6, 64 << 10, START);
    }

    @AfterEach
    void deprovision() {
        stores.close();
        provisioner.deprovision(instance);
    }

    private VerificationReport verify() throws InterruptedException {
        return new BucketVerifier(VerifyBed.LAYOUT, 3, Clock.systemUTC()).verify(store, Optional.empty(), Pace.unlimited());
    }

    @Test
    void aCleanBucketVerifiesClean() throws Exception {
        VerificationReport report = verify();
        assertTrue(report.isClean(), report.toString());
        assertEquals(1 + 2 + 6, report.objects().size(), "the manifest, both parts and every WAL object were read");
        assertTrue(report.objects().stream().allMatch(o -> o.outcome() == VerifiedObject.Outcome.OK));
        assertEquals(report.clean().ranges(), report.cut().ranges());
    }

    @Test
    void aByteFlippedInAWalObjectAfterTheBackupIsNamedAndCutsTheWindowEnd() throws Exception {
        String damaged = seeded.wal().get(3); // segment 4: after the backup's end
        VerifyBed.flipOneByte(store, server.adminClient(), damaged);

        VerificationReport report = verify();
        assertFalse(report.isClean());
        assertEquals(1, report.damaged().size(), report.damaged().toString());
        VerifiedObject found = report.damaged().get(0);
        assertEquals(damaged, found.key());
        // Encrypted objects (the default) fail authentication at the flipped byte; plain ones fail the metadata's sha256.
        assertTrue(found.detail().contains("fails its authentication tag") || found.detail().contains("its metadata records"), found.detail());
        assertTrue(report.cutsWindowEnd(found), "the WAL reached the end of segment 6 and now the end of segment 3");
        assertEquals(new WalSegmentName(1, 4, VerifyBed.SEG).startLsn(), report.cut().restorableBackups().get(0).walReachedLsn());
        assertEquals(1, report.holes().size(), report.holes().toString());
        WalHole hole = report.holes().get(0);
        assertEquals(new WalSegmentName(1, 4, VerifyBed.SEG), hole.segment());
        assertTrue(hole.damaged().get(0).contains(damaged), hole.toString());
    }

    @Test
    void aByteFlippedInABackupPartIsNamedAndThatBackupIsUnusable() throws Exception {
        String damaged = seeded.parts().get(1);
        VerifyBed.flipOneByte(store, server.adminClient(), damaged);

        VerificationReport report = verify();
        assertEquals(1, report.damaged().size(), report.damaged().toString());
        assertEquals(damaged, report.damaged().get(0).key());
        assertTrue(report.damaged().get(0).detail().contains("fails its authentication tag")
                || report.damaged().get(0).detail().contains("its backup's manifest records"), report.damaged().toString());
        assertTrue(report.cut().isEmpty(), "the only backup restores nothing");
        assertTrue(report.cut().unusableBackups().get(0).reason().contains(damaged));
        assertTrue(report.cutsWindowEnd(report.damaged().get(0)));
    }

    @Test
    void aMissingWalSegmentIsNamed() throws Exception {
        store.delete(seeded.wal().get(4)); // segment 5
        VerificationReport report = verify();
        assertTrue(report.damaged().isEmpty());
        assertEquals(1, report.holes().size(), report.holes().toString());
        assertEquals(new WalSegmentName(1, 5, VerifyBed.SEG), report.holes().get(0).segment());
        assertTrue(report.holes().get(0).damaged().isEmpty());
        assertFalse(report.isClean());
    }
}
