package io.tideline.archiver.wal;

import io.tideline.core.storage.StorageErrors;
import io.tideline.core.storage.StorageException;
import io.tideline.core.storage.StorageFailure;

/**
 * How the WAL stream's session loop treats a failed session: how long it waits before the next one and
 * whether a person must act. The one place those decisions are made; storage failures are classified
 * by {@link StorageErrors}. Every kind is retried: a stream gives up only when it is told to stop.
 */
enum StreamFailure {

    /** The bucket holds a different history than the server ({@link WalConflictException}): a person must look; retried at the longest delay. */
    HISTORY_CONFLICT(true, true),
    /**
     * The server is not what its registration says ({@code InstanceMismatchException}): a person must look. Retried with
     * the usual backoff, as it always was (a mismatch seen during a restart of the server can clear by itself).
     */
    INSTANCE_MISMATCH(false, true),
    /** The bucket refuses the instance's credentials: retried at the longest delay, until the grant is fixed. */
    STORAGE_ACCESS_DENIED(true, false),
    /** Anything else (server or store unreachable, the server restarting, a broken connection): retried with backoff. */
    TRANSIENT(false, false);

    private final boolean longestDelay;
    private final boolean needsPerson;

    StreamFailure(boolean longestDelay, boolean needsPerson) {
        this.longestDelay = longestDelay;
        this.needsPerson = needsPerson;
    }

    /** Wait the longest retry delay rather than the next backoff step. */
    boolean longestDelay() {
        return longestDelay;
    }

    /** Logged as an error: streaming cannot go on until someone fixes it. */
    boolean needsPerson() {
        return needsPerson;
    }

    static StreamFailure of(Throwable e) {
        if (e instanceof WalConflictException) {
            return HISTORY_CONFLICT;
        }
        if (e instanceof InstanceStreamer.InstanceMismatchException) {
            return INSTANCE_MISMATCH;
        }
        if (e instanceof StorageException s && StorageErrors.classify(s) == StorageFailure.ACCESS_DENIED) {
            return STORAGE_ACCESS_DENIED;
        }
        return TRANSIENT;
    }
}
