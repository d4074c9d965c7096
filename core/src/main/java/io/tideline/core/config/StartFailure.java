package io.tideline.core.config;

import io.micronaut.context.exceptions.BeanContextException;

/**
 * What a failed start of a Micronaut context tells a person. The container wraps whatever a bean's
 * constructor threw ({@link Require}'s {@code tideline.archiver.wal.flush-interval must be at least 1s,
 * not 500ms}) in exceptions whose first line is {@code Error instantiating bean of type [...]}; the
 * message worth showing is the one the wrapped exception carries.
 */
public final class StartFailure {

    private StartFailure() {
    }

    /** The exception under the container's wrappers ({@code failure} itself when it is not wrapped). */
    public static Throwable cause(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof BeanContextException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The first line of {@link #cause}'s message (its class name when it has none). */
    public static String reason(Throwable failure) {
        Throwable cause = cause(failure);
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
