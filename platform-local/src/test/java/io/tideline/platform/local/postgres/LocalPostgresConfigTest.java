package io.tideline.platform.local.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LocalPostgresConfigTest {

    private static final Path HOME = Path.of("/srv/tideline");

    private static String refusal(Runnable build) {
        return assertThrows(IllegalArgumentException.class, build::run).getMessage();
    }

    @Test
    void theDefaultsAreDebiansPostgres15AndNamedTimeouts() {
        LocalPostgresConfig config = LocalPostgresConfig.defaults(HOME);
        assertEquals(Path.of("/usr/lib/postgresql/15/bin"), config.binDir());
        assertEquals(HOME.resolve("instances"), config.instancesDir());
        assertEquals(Duration.ofMinutes(2), config.commandTimeout());
        assertEquals(Duration.ofSeconds(60), config.startTimeout());
        assertEquals(Map.of(), config.extraSettings());
    }

    @Test
    void refusalsSayWhichValueAndWhatItMustBe() {
        LocalPostgresConfig defaults = LocalPostgresConfig.defaults(HOME);
        assertEquals("startTimeout must be positive, not 0s",
                refusal(() -> defaults.withTimeouts(Duration.ofMinutes(1), Duration.ZERO, Duration.ofMinutes(1))));
        assertEquals("osUser must be an OS user name, not 'Post gres'", refusal(() -> new LocalPostgresConfig(HOME,
                defaults.binDir(), Optional.of("Post gres"), defaults.commandTimeout(), defaults.startTimeout(),
                defaults.stopTimeout(), Map.of())));
    }
}
