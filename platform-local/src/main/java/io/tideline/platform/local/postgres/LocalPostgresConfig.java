package io.tideline.platform.local.postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of {@link LocalPostgresProvisioner}. A plain record so tools and tests can build one
 * without a container; a service binds it from its own {@code @ConfigurationProperties}.
 *
 * @param home           the Tideline home; clusters live in {@code <home>/instances/<id>/}
 * @param binDir         where {@code initdb}, {@code pg_ctl} and {@code postgres} are
 * @param osUser         the OS user that runs the servers and owns their data, or empty to use the
 *                       current user; PostgreSQL refuses to run as root, so the default for root is
 *                       {@value #DEFAULT_OS_USER}
 * @param commandTimeout the longest a single command (initdb, pg_ctl status, ...) may take
 * @param startTimeout   the longest a server may take to accept connections after start
 * @param stopTimeout    the longest a fast shutdown may take before it is made immediate
 * @param extraSettings  server settings appended after Tideline's own (they win), e.g. {@code fsync=off} in a benchmark
 */
public record LocalPostgresConfig(
        Path home,
        Path binDir,
        Optional<String> osUser,
        Duration commandTimeout,
        Duration startTimeout,
        Duration stopTimeout,
        Map<String, String> extraSettings) {

    public static final Path DEFAULT_BIN_DIR = Path.of("/usr/lib/postgresql/15/bin");
    public static final String DEFAULT_OS_USER = "postgres";
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(60);

    public LocalPostgresConfig {
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(binDir, "binDir");
        Objects.requireNonNull(osUser, "osUser");
        home = home.toAbsolutePath().normalize();
        binDir = binDir.toAbsolutePath().normalize();
        requirePositive(commandTimeout, "commandTimeout");
        requirePositive(startTimeout, "startTimeout");
        requirePositive(stopTimeout, "stopTimeout");
        osUser.ifPresent(u -> {
            if (!u.matches("[a-z_][a-z0-9_-]*")) {
                throw new IllegalArgumentException("not an OS user name: '" + u + "'");
            }
        });
        extraSettings = Map.copyOf(new LinkedHashMap<>(extraSettings));
        extraSettings.forEach((k, v) -> PostgresConf.requireKey(k));
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    /** Defaults for {@code home}: the Debian PostgreSQL 15 binaries, run as {@code postgres} when we are root. */
    public static LocalPostgresConfig defaults(Path home) {
        return new LocalPostgresConfig(home, DEFAULT_BIN_DIR,
                isRoot() ? Optional.of(DEFAULT_OS_USER) : Optional.empty(),
                DEFAULT_COMMAND_TIMEOUT, DEFAULT_START_TIMEOUT, DEFAULT_STOP_TIMEOUT, Map.of());
    }

    public LocalPostgresConfig withBinDir(Path dir) {
        return new LocalPostgresConfig(home, dir, osUser, commandTimeout, startTimeout, stopTimeout, extraSettings);
    }

    public LocalPostgresConfig withExtraSettings(Map<String, String> settings) {
        return new LocalPostgresConfig(home, binDir, osUser, commandTimeout, startTimeout, stopTimeout, settings);
    }

    public LocalPostgresConfig withTimeouts(Duration command, Duration start, Duration stop) {
        return new LocalPostgresConfig(home, binDir, osUser, command, start, stop, extraSettings);
    }

    public Path instancesDir() {
        return home.resolve("instances");
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (Exception e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
