package io.tideline.archiver.basebackup;

import io.tideline.core.basebackup.BackupLabel;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.basebackup.BaseBackupTarScan;
import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.basebackup.ServerManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The data path of one backup: the cluster's identity, {@code pg_basebackup}'s tar stream read
 * through core's {@link BaseBackupTarScan} into {@link CompressedParts}, and the manifest that describes what
 * was stored. It does not store the manifest (the caller does, last) and publishes nothing itself: the
 * {@link Listener} is told when the stream has begun. On failure everything stored is discarded and
 * {@link Failure} says why.
 */
final class BackupStream {

    /** After the tar stream ended, pg_basebackup only syncs and exits. */
    private static final long EXIT_WAIT_SECONDS = 60;

    /** What the caller hears while the backup streams (on the streaming thread). */
    interface Listener {
        /** The stream has begun: the label gives the start point. May throw to abandon the backup. */
        void started(BackupLabel label, LongSupplier storedBytes);

        /** Raw bytes of the tar stream went by. */
        void rawBytes(long bytes);

        /** The server's size estimate of the whole stream. */
        void totalEstimate(long bytes);
    }

    /** The backup could not be taken; nothing of it is left to use. */
    static final class Failure extends Exception {
        private final boolean started;

        Failure(String reason, boolean started, Throwable cause) {
            super(reason, cause);
            this.started = started;
        }

        /** Whether {@link Listener#started} had been called. */
        boolean started() {
            return started;
        }
    }

    /**
     * Which backup to take: of which server (with its replication password), into which bucket, under
     * which id, for which command, started when.
     */
    record Job(RegisteredInstance instance, String password, ObjectStore store, BucketLayout layout, BackupId backup,
               String commandId, Instant startedAt, PostgresTls tls) {

        /** Without TLS. */
        Job(RegisteredInstance instance, String password, ObjectStore store, BucketLayout layout, BackupId backup,
            String commandId, Instant startedAt) {
            this(instance, password, store, layout, backup, commandId, startedAt, PostgresTls.none());
        }
    }

    private final BackupSettings settings;
    private final Clock clock;
    private final PartPipeline parts;

    /** {@code parts}: the replica's shared compress-and-upload pipeline (its budget bounds every backup's memory). */
    BackupStream(BackupSettings settings, Clock clock, PartPipeline parts) {
        this.settings = settings;
        this.clock = clock;
        this.parts = parts;
    }

    /**
     * Takes the backup's data into the job's store; returns the manifest to store once everything it
     * lists is confirmed stored. {@code InterruptedException}: the caller is stopping; the data is discarded.
     */
    BackupManifest take(Job job, Listener listener) throws Failure, InterruptedException {
        ClusterIdentity identity = identify(job.instance(), job.password(), job.tls());
        CompressedParts data = new CompressedParts(job.store(), job.layout(), job.backup(), settings.compressionLevel(), parts);
        TarProgress progress = new TarProgress(listener, data);
        BaseBackupTarScan.Result stream = streamInto(job, data, progress, listener);
        List<BackupManifest.Part> parts = progress.parts;
        try {
            stream.requireAgreement();
        } catch (IllegalStateException e) {
            data.discard();
            throw new Failure(e.getMessage(), progress.started, null);
        }
        try {
            return BackupManifest.builder(job.backup(), job.instance().id(), job.commandId())
                    .timeline(stream.label().timeline()).startLsn(stream.label().startLsn()).endLsn(stream.manifest().end())
                    .startedAt(job.startedAt()).finishedAt(progress.finishedAt)
                    .postgresVersion(identity.serverVersionNum()).systemIdentifier(identity.systemIdentifier())
                    .walSegmentSize(job.layout().walSegmentSize()).rawBytes(stream.rawBytes())
                    .parts(parts).build();
        } catch (RuntimeException e) {
            // A manifest that cannot be written describes nothing a restore could use: the data goes too.
            data.discard();
            throw new Failure("cannot describe the backup in a manifest: " + e.getMessage(), progress.started, e);
        }
    }

    private ClusterIdentity identify(RegisteredInstance instance, String password, PostgresTls tls) throws Failure {
        try {
            return ClusterIdentity.read(instance, password, tls, settings.connectTimeout());
        } catch (SQLException | RuntimeException e) {
            throw new Failure("cannot identify the cluster at " + instance.host() + ":" + instance.port()
                    + " as " + instance.replicationUser() + ": " + e.getMessage(), false, e);
        }
    }

    /** Runs pg_basebackup and reads its tar stream into {@code data}, up to its stored parts; discards everything on failure. */
    private BaseBackupTarScan.Result streamInto(Job job, CompressedParts data, TarProgress progress, Listener listener)
            throws Failure, InterruptedException {
        PgBaseBackup child;
        try {
            child = PgBaseBackup.start(settings, job.instance(), job.backup(), job.password(), job.tls(), listener::totalEstimate);
        } catch (IOException e) {
            throw new Failure("cannot start " + settings.pgBaseBackup() + ": " + e.getMessage(), false, e);
        }
        try (child) {
            BaseBackupTarScan.Result stream = BaseBackupTarScan.read(child.stdout(), new Counting(data, listener), progress);
            int exit = child.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
            if (exit != 0) {
                throw new IOException("pg_basebackup exited with " + exit + ": " + child.lastLines());
            }
            progress.parts = data.finish();
            return stream;
        } catch (InterruptedException e) {
            child.close();
            data.discard();
            throw e;
        } catch (IOException | RuntimeException e) {
            String detail = child.lastLines();
            child.close();
            data.discard();
            String reason = describe(e);
            throw new Failure(reason + (detail.isEmpty() || reason.contains(detail) ? "" : " (pg_basebackup: " + detail + ")"),
                    progress.started, e);
        }
    }

    /** What the tar stream has shown so far: whether the backup began, when the server ended it, the stored parts. */
    private final class TarProgress implements BaseBackupTarScan.Observer {
        private final Listener listener;
        private final CompressedParts data;
        private boolean started;
        private Instant finishedAt;
        private List<BackupManifest.Part> parts;

        TarProgress(Listener listener, CompressedParts data) {
            this.listener = listener;
            this.data = data;
        }

        @Override
        public void onLabel(BackupLabel label) {
            listener.started(label, data::storedBytes);
            started = true;
        }

        @Override
        public void onServerManifest(ServerManifest manifest) {
            // the server has stopped the backup: this is when the copy is consistent up to
            finishedAt = clock.instant();
        }
    }

    private static String describe(Throwable e) {
        Throwable shown = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        return shown.getMessage() == null ? shown.getClass().getSimpleName() : shown.getMessage();
    }

    /** Counts the raw stream on its way to the compressor. */
    private static final class Counting extends OutputStream {
        private final OutputStream sink;
        private final Listener listener;

        Counting(OutputStream sink, Listener listener) {
            this.sink = sink;
            this.listener = listener;
        }

        @Override
        public void write(int b) throws IOException {
            sink.write(b);
            listener.rawBytes(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            sink.write(b, off, len);
            listener.rawBytes(len);
        }
    }
}
