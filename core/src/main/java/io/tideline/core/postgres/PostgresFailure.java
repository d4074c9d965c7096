package io.tideline.core.postgres;

/**
 * What a PostgreSQL error means for whoever got it, as {@link PostgresErrors#classify} decides from its
 * SQLSTATE. Retriable kinds may succeed if the same call is made again later (with backoff); the others
 * cannot without a change someone has to make, or, for {@link #WAL_REMOVED}, call for another action
 * than a retry.
 */
public enum PostgresFailure {

    /** {@code 58P01} "requested WAL segment … has already been removed": that WAL is lost to streaming; a gap, answered with a base backup. */
    WAL_REMOVED(false),
    /** Class {@code 28}: wrong or revoked password, or {@code pg_hba.conf} refuses the user. */
    AUTHENTICATION(false),
    /** {@code 42501}: the role lacks a privilege the call needs. */
    PRIVILEGE(false),
    /** Class {@code 08}: no connection, or it broke (pgjdbc reports I/O errors as {@code 08006}). */
    CONNECTION(true),
    /** {@code 57P01}/{@code 57P02}/{@code 57P03}: the server is shutting down, crashed, or not accepting connections yet. */
    SHUTDOWN(true),
    /** Class {@code 53}: out of connections, memory or disk on the server. */
    RESOURCES(true),
    /** {@code 40001}/{@code 40P01}: a serialization failure or deadlock; the transaction may simply be run again. */
    CONCURRENCY(true),
    /**
     * Any other SQLSTATE, or none. Treated as retriable: Tideline's callers are loops that protect data
     * (the WAL stream); a permanent error taken for a transient one costs logged retries at a capped
     * delay, a transient one taken for permanent stops archiving until a person acts.
     */
    UNKNOWN(true);

    private final boolean retriable;

    PostgresFailure(boolean retriable) {
        this.retriable = retriable;
    }

    /** Whether the same call may succeed later without anyone changing anything. */
    public boolean retriable() {
        return retriable;
    }
}
