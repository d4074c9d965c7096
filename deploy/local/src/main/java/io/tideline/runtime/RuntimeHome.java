package io.tideline.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The directory that holds every piece of state of the embedded runtime (layout in
 * {@code docs/architecture.md}): Kafka's log, the S3 data and identities, the secret store, the
 * PostgreSQL clusters, logs, the chosen ports and {@code runtime.json}. Deleting it is a factory reset.
 */
public record RuntimeHome(Path root) {

    /** Environment variable that moves the home. */
    public static final String ENV = "TIDELINE_HOME";
    /** The home when neither a flag nor {@link #ENV} names one, relative to the working directory. */
    public static final Path DEFAULT = Path.of("var");

    public RuntimeHome {
        Objects.requireNonNull(root, "root");
        root = root.toAbsolutePath().normalize();
    }

    /** {@code flag} if given, else {@code TIDELINE_HOME}, else {@code ./var}. */
    public static RuntimeHome resolve(Optional<Path> flag, Map<String, String> environment) {
        return new RuntimeHome(flag.or(() -> Optional.ofNullable(environment.get(ENV))
                        .filter(v -> !v.isBlank()).map(Path::of))
                .orElse(DEFAULT));
    }

    public Path kafkaDir() {
        return root.resolve("kafka");
    }

    public Path s3DataDir() {
        return root.resolve("s3").resolve("data");
    }

    public Path s3IdentitiesDir() {
        return root.resolve("s3").resolve("identities");
    }

    public Path secretsDir() {
        return root.resolve("secrets");
    }

    /** {@code instances/<id>/} of {@code LocalPostgresProvisioner}. */
    public Path instancesDir() {
        return root.resolve("instances");
    }

    public Path logsDir() {
        return root.resolve("logs");
    }

    /** Written once everything runs, removed at a clean stop: what clients read to find the runtime. */
    public Path runtimeFile() {
        return root.resolve("runtime.json");
    }

    /** The ports chosen at the first start, reused by the next ones. */
    public Path portsFile() {
        return root.resolve("ports.json");
    }

    /** Held (an OS file lock) by the runtime for its whole life: one runtime per home. */
    public Path lockFile() {
        return root.resolve("runtime.lock");
    }

    /** Output of the detached runtime JVM (its services' log). */
    /** The first admin's password (0600), made by the first {@code up} of the home ({@link FirstAdmin}). */
    public Path adminPasswordFile() {
        return root.resolve("admin-password");
    }

    /** The CLI's sign-in token for this home's deployment (0600), written by {@code tideline login}. */
    public Path tokenFile() {
        return root.resolve("cli-token.json");
    }

    public Path runtimeLog() {
        return logsDir().resolve("runtime.log");
    }

    public Path s3Log() {
        return logsDir().resolve("s3-server.log");
    }

    public boolean exists() {
        return Files.isDirectory(root);
    }

    /**
     * Creates the home and its directories. The home is world-traversable (0755) because the
     * PostgreSQL servers run as OS users of their own when we are root and must reach their data
     * directories below it; what is secret or holds every tenant's data below it is 0700: the secrets,
     * and the S3 server's and Kafka's directories (every instance's backups and WAL are in {@code s3/data},
     * which one instance's server must not read). Modes are set on every start, so older homes get them too.
     */
    public RuntimeHome create() {
        try {
            for (Path dir : new Path[] {root, instancesDir(), logsDir()}) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Files.createDirectories(kafkaDir());
            Files.createDirectories(s3DataDir());
            Files.createDirectories(s3IdentitiesDir());
            Files.createDirectories(secretsDir());
            Files.setPosixFilePermissions(secretsDir(), PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(s3IdentitiesDir(), PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(s3DataDir().getParent(), PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(kafkaDir(), PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Tideline home " + root + ": " + e.getMessage(), e);
        }
        return this;
    }

    /**
     * The first directory above the home that other users cannot traverse (no {@code o+x}), if any.
     * When we are root, PostgreSQL runs as other users (one per instance) and cannot reach a home below such a
     * directory (a clone under {@code /root} is the usual case).
     */
    public Optional<Path> untraversableAncestor() {
        for (Path p = root.getParent(); p != null; p = p.getParent()) {
            try {
                if (Files.exists(p) && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return Optional.of(p);
                }
            } catch (IOException e) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
