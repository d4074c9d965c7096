package io.tideline.cli.audit;

/**
 * A broken invariant found in the event log.
 *
 * @param check    which check found it
 * @param instance the instance it is about
 * @param message  what is wrong, for a person
 * @param position where in the log ({@code topic-partition@offset})
 */
public record Finding(String check, String instance, String message, String position) {
}
