package io.tideline.archiver.basebackup;

import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.schemas.BackupPhase;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The live state of one backup, written by the thread that takes it and read by the progress
 * reporter's thread.
 */
final class RunningBackup {

    private final InstanceId instance;
    private final BackupId backup;
    private final String commandId;
    private final Instant startedAt;
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong bytesTotal = new AtomicLong(-1);
    private volatile LongSupplier bytesStored = () -> 0;
    private volatile BackupPhase phase;
    private volatile String message = "";
    private volatile boolean announced;

    RunningBackup(InstanceId instance, BackupId backup, String commandId, Instant startedAt) {
        this.instance = instance;
        this.backup = backup;
        this.commandId = commandId;
        this.startedAt = startedAt;
    }

    InstanceId instance() {
        return instance;
    }

    BackupId backup() {
        return backup;
    }

    String commandId() {
        return commandId;
    }

    Instant startedAt() {
        return startedAt;
    }

    /** The stream has begun and {@code BackupStarted} is out: progress may be reported from now on. */
    void streaming(LongSupplier stored) {
        this.bytesStored = stored;
        this.phase = BackupPhase.STREAMING;
        this.announced = true;
    }

    void waitingForWal(String what) {
        this.phase = BackupPhase.WAITING_FOR_WAL;
        this.announced = true;
        this.message = what;
    }

    boolean announced() {
        return announced;
    }

    void addDone(long bytes) {
        bytesDone.addAndGet(bytes);
    }

    void totalEstimate(long bytes) {
        bytesTotal.set(bytes);
    }

    BackupPhase phase() {
        return phase;
    }

    long bytesDone() {
        return bytesDone.get();
    }

    /** The server's estimate, never below what is already done (an estimate can be short). */
    OptionalLong bytesTotal() {
        long total = bytesTotal.get();
        return total < 0 ? OptionalLong.empty() : OptionalLong.of(Math.max(total, bytesDone.get()));
    }

    long bytesStored() {
        return bytesStored.getAsLong();
    }

    String message() {
        return message;
    }
}
