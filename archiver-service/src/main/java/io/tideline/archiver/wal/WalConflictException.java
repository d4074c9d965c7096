package io.tideline.archiver.wal;

/**
 * The bucket holds, under a WAL object's name, different WAL than the server sent: another
 * server's history under the same instance id, or a corrupted object. Never overwritten; a person
 * must look. Streaming of the instance stops retrying quickly and says so.
 */
public final class WalConflictException extends RuntimeException {

    public WalConflictException(String message) {
        super(message);
    }

    public WalConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
