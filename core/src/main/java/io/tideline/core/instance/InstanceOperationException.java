package io.tideline.core.instance;

/**
 * A provisioning step failed: a command exited non-zero or ran out of time, or the server did not
 * come up. The message says which step, for which instance, and ends with what the command or the
 * server said (stderr or the server log's tail), so it is actionable without digging for files.
 */
public class InstanceOperationException extends RuntimeException {

    public InstanceOperationException(String message) {
        super(message);
    }

    public InstanceOperationException(String message, Throwable cause) {
        super(message, cause);
    }
}
