package io.tideline.platform.local.postgres;

import io.tideline.core.config.Defaults;
import io.tideline.core.config.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of {@link LocalPostgresProvisioner}. A plain validated value, not bound itself, so tools and
 * tests can build one without a container: a service gets it from {@code FleetConfiguration.localPostgres()}
 * ({@code tideline.fleet.home} and {@code .postgres-bin-dir}); the rest are the defaults here.
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
 * @param network        where the servers listen and who may log in over the network (default: loopback only)
 * @param tls            whether the servers it makes get a certificate from the Tideline CA, {@code ssl=on} and
 *                       TLS-only {@code pg_hba.conf} lines ({@code hostssl}); on in the embedded runtime, off by
 *                       default (the test fixtures) — see docs/modules/platform-local.md, "TLS"
 */
public record LocalPostgresConfig(
        Path home,
        Path binDir,
        Optional<String> osUser,
        Duration commandTimeout,
        Duration startTimeout,
        Duration stopTimeout,
        Map<String, String> extraSettings,
        PostgresNetwork network,
        boolean tls) {

    /** Debian's PostgreSQL 15; the text is also {@code tideline.fleet.postgres-bin-dir}'s default. */
    public static final String DEFAULT_BIN_DIR = "/usr/lib/postgresql/15/bin";
    public static final String DEFAULT_OS_USER = "postgres";
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(60);

    public LocalPostgresConfig {
        home = Require.present(home, "home").toAbsolutePath().normalize();
        binDir = Require.present(binDir, "binDir").toAbsolutePath().normalize();
        Require.present(osUser, "osUser").ifPresent(u ->
                Require.that(u.matches("[a-z_][a-z0-9_-]*"), "osUser", "an OS user name", u));
        Require.positive(commandTimeout, "commandTimeout");
        Require.positive(startTimeout, "startTimeout");
        Require.positive(stopTimeout, "stopTimeout");
        extraSettings = Map.copyOf(new LinkedHashMap<>(extraSettings));
        extraSettings.forEach((k, v) -> PostgresConf.requireKey(k));
        network = Require.present(network, "network");
    }

    /** Servers on loopback only, without TLS. */
    public LocalPostgresConfig(Path home, Path binDir, Optional<String> osUser, Duration commandTimeout, Duration startTimeout,
                               Duration stopTimeout, Map<String, String> extraSettings) {
        this(home, binDir, osUser, commandTimeout, startTimeout, stopTimeout, extraSettings, PostgresNetwork.loopback(), false);
    }

    /** Defaults for {@code home}: the Debian PostgreSQL 15 binaries, run as {@code postgres} when we are root. */
    public static LocalPostgresConfig defaults(Path home) {
        return new LocalPostgresConfig(home, Defaults.read(DEFAULT_BIN_DIR, Path.class),
                isRoot() ? Optional.of(DEFAULT_OS_USER) : Optional.empty(),
                DEFAULT_COMMAND_TIMEOUT, DEFAULT_START_TIMEOUT, DEFAULT_STOP_TIMEOUT, Map.of());
    }

    public LocalPostgresConfig withBinDir(Path dir) {
        return new LocalPostgresConfig(home, dir, osUser, commandTimeout, startTimeout, stopTimeout, extraSettings, network, tls);
    }

    public LocalPostgresConfig withExtraSettings(Map<String, String> settings) {
        return new LocalPostgresConfig(home, binDir, osUser, commandTimeout, startTimeout, stopTimeout, settings, network, tls);
    }

    public LocalPostgresConfig withTimeouts(Duration command, Duration start, Duration stop) {
        return new LocalPostgresConfig(home, binDir, osUser, command, start, stop, extraSettings, network, tls);
    }

    public LocalPostgresConfig withNetwork(PostgresNetwork where) {
        return new LocalPostgresConfig(home, binDir, osUser, commandTimeout, startTimeout, stopTimeout, extraSettings, where, tls);
    }

    /** The same with TLS on or off for the servers it makes. */
    public LocalPostgresConfig withTls(boolean on) {
        return new LocalPostgresConfig(home, binDir, osUser, commandTimeout, startTimeout, stopTimeout, extraSettings, network, on);
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
