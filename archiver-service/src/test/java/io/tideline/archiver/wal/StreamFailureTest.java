package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.StorageAccessDeniedException;
import io.tideline.core.storage.StorageUnavailableException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StreamFailureTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                // failure, kind, longest delay, needs a person
                Arguments.of(new WalConflictException("different WAL"), StreamFailure.HISTORY_CONFLICT, true, true),
                Arguments.of(new InstanceStreamer.InstanceMismatchException("wal_segment_size"), StreamFailure.INSTANCE_MISMATCH, false, true),
                Arguments.of(new StorageAccessDeniedException("put", "b", "k", "AccessDenied", null),
                        StreamFailure.STORAGE_ACCESS_DENIED, true, false),
                Arguments.of(new StorageUnavailableException("put", "b", "k", new ConnectException("refused")),
                        StreamFailure.TRANSIENT, false, false),
                Arguments.of(new NoSuchObjectException("b", "k", null), StreamFailure.TRANSIENT, false, false),
                Arguments.of(new SQLException("password authentication failed", "28P01"), StreamFailure.TRANSIENT, false, false),
                Arguments.of(new SQLException("An I/O error occurred", "08006"), StreamFailure.TRANSIENT, false, false),
                Arguments.of(new IllegalStateException("anything else"), StreamFailure.TRANSIENT, false, false));
    }

    /** The waits and log levels the session loop had before they were named here; authentication is retried with backoff as before. */
    @ParameterizedTest(name = "{1}")
    @MethodSource("failures")
    void decidesWaitAndLogLevel(Exception e, StreamFailure expected, boolean longestDelay, boolean needsPerson) {
        StreamFailure kind = StreamFailure.of(e);
        assertEquals(expected, kind);
        assertEquals(longestDelay, kind.longestDelay());
        assertEquals(needsPerson, kind.needsPerson());
    }
}
