package io.tideline.s3server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerArgumentsTest {

    private static final String[] BASE = {"--data", "/d", "--identities", "/i", "--port", "9000", "--admin-access-key", "admin"};

    @Test
    void theSecretMayComeFromTheEnvironment() {
        ServerArguments args = ServerArguments.parse(BASE, Map.of(ServerArguments.ADMIN_SECRET_ENV, "from-env-secret"));
        assertEquals(new ServerArguments(Path.of("/d"), Path.of("/i"), 9000, "admin", "from-env-secret"), args);
        assertFalse(args.toString().contains("from-env-secret"));
    }

    @Test
    void theHostIsLoopbackUnlessTold() {
        assertEquals("127.0.0.1", ServerArguments.parse(BASE, Map.of(ServerArguments.ADMIN_SECRET_ENV, "from-env-secret")).host());
        String[] withHost = java.util.stream.Stream.concat(java.util.Arrays.stream(BASE), java.util.stream.Stream.of("--host", "10.231.0.20"))
                .toArray(String[]::new);
        assertEquals("10.231.0.20", ServerArguments.parse(withHost, Map.of(ServerArguments.ADMIN_SECRET_ENV, "from-env-secret")).host());
        String[] badHost = java.util.stream.Stream.concat(java.util.Arrays.stream(BASE), java.util.stream.Stream.of("--host", "a b"))
                .toArray(String[]::new);
        assertThrows(IllegalArgumentException.class,
                () -> ServerArguments.parse(badHost, Map.of(ServerArguments.ADMIN_SECRET_ENV, "from-env-secret")));
    }

    @Test
    void missingOrBadOptionsFailLoudly() {
        assertThrows(IllegalArgumentException.class, () -> ServerArguments.parse(BASE, Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> ServerArguments.parse(new String[] {"--port", "x"}, Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> ServerArguments.parse(new String[] {"--bogus", "1"}, Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> ServerArguments.parse(new String[] {"--data"}, Map.of()));
    }
}
