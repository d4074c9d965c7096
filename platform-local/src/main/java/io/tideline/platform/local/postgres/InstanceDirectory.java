package io.tideline.platform.local.postgres;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.WalSpool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's directory, {@code <home>/instances/<id>/}: {@code instance.json} (the
 * {@link InstanceRecord}), {@code pgdata/} (the cluster, the server user's, mode 0700; the server user is
 * the instance's own, see {@link InstanceUsers}),
 * {@code postgres.log} (the {@link ServerLog}) and, for a restore target, {@code wal-spool/}. Every file
 * the server reads is written here with the owner and mode the server insists on.
 *
 * <p>The layout is what another process (a later {@code tideline up}, the watchdog, the CLI) looks for:
 * change it and runtimes made before stop being found.
 */
final class InstanceDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceDirectory.class);

    static final String DATA_DIR = "pgdata";
    static final String LOG_FILE = "postgres.log";
    static final String WAL_SPOOL_DIR = "wal-spool";
    private static final String INITDB_PASSWORD_FILE = ".initdb-pwfile";
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;
    private final Supplier<ServerUser> owner;
    private ServerUser serverUser;

    InstanceDirectory(Path dir, ServerUser serverUser) {
        this(dir, () -> serverUser);
    }

    /** {@code owner} is asked once, when a file of the server is first touched (the record may not exist before). */
    InstanceDirectory(Path dir, Supplier<ServerUser> owner) {
        this.dir = dir;
        this.owner = owner;
    }

    /** The OS user the server of this instance runs as and its files belong to (empty: ourselves). */
    ServerUser serverUser() {
        if (serverUser == null) {
            serverUser = owner.get();
        }
        return serverUser;
    }

    Path path() {
        return dir;
    }

    Path dataDir() {
        return dir.resolve(DATA_DIR);
    }

    Path walSpoolDir() {
        return dir.resolve(WAL_SPOOL_DIR);
    }

    ServerLog log() {
        return new ServerLog(dir.resolve(LOG_FILE));
    }

    boolean exists() {
        return Files.exists(dir);
    }

    /** Whether the server left its PID file: it runs, or it crashed without removing it. */
    boolean hasPidFile() {
        return Files.exists(dataDir().resolve("postmaster.pid"));
    }

    /** Refuses an id that is taken: nothing may overwrite another instance's data. */
    void requireAbsent(InstanceId id) {
        if (exists()) {
            throw new IllegalStateException("instance " + id + " already exists (" + dir + ")");
        }
    }

    Optional<InstanceRecord> readRecord() {
        return InstanceRecord.read(dir);
    }

    void write(InstanceRecord record) {
        record.write(dir);
    }

    /** Creates the directory, an empty {@code pgdata/} owned by the server user, and the log file. */
    void create() throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pgdata = Files.createDirectory(dataDir());
        Files.setPosixFilePermissions(pgdata, PRIVATE_DIR);
        serverUser().giveTo(pgdata);
        Path log = dir.resolve(LOG_FILE);
        Files.writeString(log, "");
        Files.setPosixFilePermissions(log, PRIVATE_FILE);
        // pg_ctl opens the log as the server user; the directory itself stays ours.
        serverUser().giveTo(log);
    }

    /**
     * Creates {@code wal-spool/}, the server user's (its {@code restore_command} renames files out of it);
     * empty when its path cannot be put into a shell command.
     */
    Optional<WalSpool> createWalSpool() throws IOException {
        Path spoolDir = Files.createDirectories(walSpoolDir());
        Files.setPosixFilePermissions(spoolDir, PRIVATE_DIR);
        serverUser().giveTo(spoolDir);
        try {
            return Optional.of(new DirectoryWalSpool(spoolDir, serverUser().principal()));
        } catch (IllegalArgumentException e) {
            LOG.warn("no WAL spool for restores into {}: {}; the server will fetch every segment over HTTP", dir, e.getMessage());
            return Optional.empty();
        }
    }

    /** Writes the admin password where {@code initdb --pwfile} reads it; the caller deletes it after. */
    Path writeInitdbPasswordFile(String password) throws IOException {
        Path pwfile = dir.resolve(INITDB_PASSWORD_FILE);
        Files.writeString(pwfile, password + "\n");
        Files.setPosixFilePermissions(pwfile, PRIVATE_FILE);
        serverUser().giveTo(pwfile);
        return pwfile;
    }

    /** {@code pg_hba.conf}: TCP on the loopback address only, SCRAM passwords only. */
    void writeHba(InstanceCredentials credentials) throws IOException {
        Path hba = dataDir().resolve("pg_hba.conf");
        String content = """
                # Written by Tideline: TCP on the loopback address only, SCRAM passwords only.
                # TYPE  DATABASE      USER       ADDRESS         METHOD
                host    all           all        127.0.0.1/32    scram-sha-256
                host    replication   %s    127.0.0.1/32    scram-sha-256
                """.formatted(credentials.replicationUser());
        Files.writeString(hba, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(hba, PRIVATE_FILE);
        serverUser().giveTo(hba);
    }

    /**
     * Makes every TCP line of {@code pg_hba.conf} demand TLS ({@code host} becomes {@code hostssl}): a
     * connection without TLS then matches no line and is refused. There is no Unix socket
     * ({@code unix_socket_directories} is empty), so no {@code local} line is needed either way.
     */
    void requireTlsInHba() throws IOException {
        Path hba = dataDir().resolve("pg_hba.conf");
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(hba, StandardCharsets.UTF_8)) {
            out.append(line.startsWith("host ") ? "hostssl" + line.substring(4) : line).append('\n');
        }
        Files.writeString(hba, out.toString(), StandardCharsets.UTF_8);
    }

    /** Adds {@code lines} to {@code pg_hba.conf} (after {@link #writeHba}: the client networks beyond loopback). */
    void appendHba(java.util.List<String> lines) throws IOException {
        if (!lines.isEmpty()) {
            Files.writeString(dataDir().resolve("pg_hba.conf"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);
        }
    }

    /** Sets {@code set} in {@code postgresql.auto.conf} and drops the keys {@code remove} matches. */
    void writeAutoConf(Map<String, String> set, Predicate<String> remove) throws IOException {
        Path auto = dataDir().resolve("postgresql.auto.conf");
        PostgresConf.rewrite(auto, set, remove);
        Files.setPosixFilePermissions(auto, PRIVATE_FILE);
        serverUser().giveTo(auto);
    }

    /** Appends {@code settings} to {@code postgresql.conf} under a comment header. */
    void appendToConf(String header, Map<String, String> settings) throws IOException {
        PostgresConf.append(dataDir().resolve("postgresql.conf"), header, settings);
    }

    /** The server insists on owning its data directory, mode 0700 for directories and 0600 for files. */
    void fixDataDirOwnership() throws IOException {
        Optional<UserPrincipal> owner = serverUser().principal();
        try (Stream<Path> paths = Files.walk(dataDir())) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                if (owner.isPresent()) {
                    view.setOwner(owner.get());
                }
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                view.setPermissions(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? PRIVATE_DIR : PRIVATE_FILE);
            }
        }
    }

    /** Removes the directory and everything in it. */
    void delete() {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }

    /** {@link #delete} after a failure: never throws over the original one. */
    void deleteQuietly() {
        try {
            if (exists()) {
                delete();
            }
        } catch (RuntimeException e) {
            LOG.warn("could not remove {}: {}", dir, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
