package io.tideline.core.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PostgresErrorsTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            // removed WAL: the code AND the walsender's words (58P01 also answers a missing history file)
            "58P01 | ERROR: requested WAL segment 000000010000000000000003 has already been removed | WAL_REMOVED     | false",
            "58P01 | ERROR: could not open file \"pg_wal/00000002.history\": No such file or directory | UNKNOWN | true",
            "58P01 | null                                                                            | UNKNOWN         | true",
            // class 28: authentication
            "28000 | FATAL: no pg_hba.conf entry for replication connection                         | AUTHENTICATION  | false",
            "28P01 | FATAL: password authentication failed for user \"tideline_replicator\"          | AUTHENTICATION  | false",
            "42501 | ERROR: permission denied to create replication slot                            | PRIVILEGE       | false",
            // class 08: connection (pgjdbc's own codes for refused and broken connections)
            "08001 | Connection to 127.0.0.1:5433 refused                                           | CONNECTION      | true",
            "08006 | An I/O error occurred while sending to the backend.                            | CONNECTION      | true",
            "08P01 | protocol violation                                                             | CONNECTION      | true",
            "57P01 | FATAL: terminating connection due to administrator command                     | SHUTDOWN        | true",
            "57P02 | FATAL: terminating connection because of crash of another server process       | SHUTDOWN        | true",
            "57P03 | FATAL: the database system is starting up                                      | SHUTDOWN        | true",
            "57014 | ERROR: canceling statement due to statement timeout                            | UNKNOWN         | true",
            "53300 | FATAL: sorry, too many clients already                                         | RESOURCES       | true",
            "53100 | ERROR: could not extend file: No space left on device                          | RESOURCES       | true",
            "40001 | ERROR: could not serialize access due to concurrent update                     | CONCURRENCY     | true",
            "40P01 | ERROR: deadlock detected                                                       | CONCURRENCY     | true",
            "40002 | ERROR: integrity constraint violation at commit                                | UNKNOWN         | true",
            // unknown: retried (see PostgresFailure.UNKNOWN for why)
            "55006 | ERROR: replication slot \"tideline\" is active for PID 4242                     | UNKNOWN         | true",
            "XX000 | ERROR: internal error                                                          | UNKNOWN         | true",
            "null  | something without a code                                                       | UNKNOWN         | true",
            "28    | a truncated code                                                               | UNKNOWN         | true",
    })
    void classifiesBySqlState(String sqlState, String message, PostgresFailure expected, boolean retriable) {
        PostgresFailure kind = PostgresErrors.classify(new SQLException(message, sqlState));
        assertEquals(expected, kind);
        assertEquals(retriable, kind.retriable());
    }
}
