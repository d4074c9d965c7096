package io.tideline.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StorageErrorsTest {

    private static final Sha256 A = Sha256.of("a".getBytes(StandardCharsets.UTF_8));
    private static final Sha256 B = Sha256.of("b".getBytes(StandardCharsets.UTF_8));

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new StorageUnavailableException("put", "b", "k", new ConnectException("refused")),
                        StorageFailure.UNAVAILABLE, true, false),
                Arguments.of(new StorageException("cannot list b", "b", null, true, null), StorageFailure.UNAVAILABLE, true, false),
                Arguments.of(new StorageAccessDeniedException("get", "b", "k", "AccessDenied", null),
                        StorageFailure.ACCESS_DENIED, false, false),
                Arguments.of(new NoSuchObjectException("b", "k", null), StorageFailure.NOT_FOUND, false, false),
                Arguments.of(new ObjectConflictException("b", "k", A, Optional.of(B)), StorageFailure.CONFLICT, false, true),
                Arguments.of(new ChecksumMismatchException("b", "k", A, B), StorageFailure.CORRUPT, false, true),
                Arguments.of(new StorageException("S3 error InvalidArgument (HTTP 400)", "b", "k", false, null),
                        StorageFailure.REFUSED, false, false));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("failures")
    void classifiesEveryStorageException(StorageException e, StorageFailure expected, boolean retriable, boolean integrity) {
        assertEquals(expected, StorageErrors.classify(e));
        assertEquals(retriable, expected.retriable());
        assertEquals(integrity, expected.integrity());
        assertEquals(e.isRetriable(), expected.retriable(), "the exception's own flag agrees with the classifier");
    }

    @Test
    void findsTheStorageFailureBehindWrappers() {
        NoSuchObjectException missing = new NoSuchObjectException("b", "k", null);
        Throwable wrapped = new CompletionException(new UncheckedIOException(new IOException("read failed", missing)));
        assertSame(missing, StorageErrors.causeOf(wrapped).orElseThrow());
        assertSame(missing, StorageErrors.causeOf(missing).orElseThrow());
        assertTrue(StorageErrors.causeOf(new IOException("disk")).isEmpty());
    }
}
