package io.tideline.core.postgres;

import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/**
 * The one classification of PostgreSQL errors by SQLSTATE (the server's, or pgjdbc's own for
 * connection failures), after pgBackRest's error table: callers ask {@link #classify} what a failure
 * is instead of comparing codes or message texts. Exact codes are looked up first, then the two-character
 * class; what neither names is {@link PostgresFailure#UNKNOWN}.
 */
public final class PostgresErrors {

    /** SQLSTATE {@code 58P01}, undefined_file: also a missing history file, so the message decides (see {@link #classify(String, String)}). */
    public static final String UNDEFINED_FILE = "58P01";
    /** What the walsender says of WAL it no longer has (in English: Tideline's clusters are made with {@code initdb --locale=C}). */
    static final String WAL_REMOVED_TEXT = "has already been removed";

    private static final Map<String, PostgresFailure> CODES = Map.of(
            "42501", PostgresFailure.PRIVILEGE,
            "57P01", PostgresFailure.SHUTDOWN,
            "57P02", PostgresFailure.SHUTDOWN,
            "57P03", PostgresFailure.SHUTDOWN,
            "40001", PostgresFailure.CONCURRENCY,
            "40P01", PostgresFailure.CONCURRENCY);
    private static final Map<String, PostgresFailure> CLASSES = Map.of(
            "28", PostgresFailure.AUTHENTICATION,
            "08", PostgresFailure.CONNECTION,
            "53", PostgresFailure.RESOURCES);

    private PostgresErrors() {
    }

    public static PostgresFailure classify(SQLException e) {
        return classify(e.getSQLState(), e.getMessage());
    }

    /**
     * @param sqlState the SQLSTATE, null when the driver gave none
     * @param message  the server's message: {@code 58P01} is a removed WAL segment only when it says so
     *                 (the same code answers a request for a history file the server lacks)
     */
    public static PostgresFailure classify(String sqlState, String message) {
        if (sqlState == null || sqlState.length() != 5) {
            return PostgresFailure.UNKNOWN;
        }
        if (UNDEFINED_FILE.equals(sqlState)) {
            return message != null && message.contains(WAL_REMOVED_TEXT) ? PostgresFailure.WAL_REMOVED : PostgresFailure.UNKNOWN;
        }
        return Optional.ofNullable(CODES.get(sqlState))
                .or(() -> Optional.ofNullable(CLASSES.get(sqlState.substring(0, 2))))
                .orElse(PostgresFailure.UNKNOWN);
    }
}
