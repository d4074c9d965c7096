package io.tideline.platform.local.postgres;

import io.tideline.core.ids.InstanceId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which OS user each instance's server runs as. Defence in depth beside the tenant's role without file
 * access: when we are root, every instance made gets a system user of its own ({@link #nameFor}), owning
 * its data directory (0700), its log and its WAL spool, so a server — even one whose superuser a tenant
 * got hold of — cannot read or write another instance's files. The user is made with the instance and
 * removed with it.
 *
 * <p>Instances made before this (their record names no user) keep running as the configured
 * {@link LocalPostgresConfig#osUser()} ({@code postgres}): adopted as they are, never moved, never
 * removed. When we are not root nobody can switch users: every server runs as ourselves, as before, and
 * that is said once in the log.
 */
final class InstanceUsers {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceUsers.class);

    /** Every user Tideline makes starts with it; nothing else is ever removed. */
    static final String PREFIX = "tl-";
    /** 48 bits of the hash: {@code tl-} and 12 hex digits, 15 characters (Linux allows 32). */
    private static final int HASH_HEX_DIGITS = 12;

    private final Path instancesDir;
    private final boolean root;
    private final ServerUser legacy;
    private final OsAccounts accounts;
    private final AtomicBoolean fallbackLogged = new AtomicBoolean();

    InstanceUsers(Path instancesDir, boolean root, ServerUser legacy, OsAccounts accounts) {
        this.instancesDir = instancesDir;
        this.root = root;
        this.legacy = legacy;
        this.accounts = accounts;
    }

    /**
     * The user of instance {@code id} of this home: a hash of the instances directory and the id, so two
     * homes on one machine (a test run beside a deployment) never share one, and any process finds the
     * same name without a lookup table.
     */
    static String nameFor(Path instancesDir, InstanceId id) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(
                    (instancesDir.toAbsolutePath().normalize() + "\0" + id.value()).getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(hash).substring(0, HASH_HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Makes the user a new instance will run as (idempotent) and returns it; when we are not root, says
     * once that the servers run as ourselves instead.
     */
    ServerUser prepareNew(InstanceId id) {
        if (!root) {
            if (fallbackLogged.compareAndSet(false, true)) {
                LOG.warn("not running as root: every PostgreSQL instance runs as this process's OS user {}, not as a user "
                        + "of its own, so one instance's server can read another's files (run Tideline as root to separate them)",
                        System.getProperty("user.name"));
            }
            return legacy;
        }
        String name = nameFor(instancesDir, id);
        accounts.addSystemUser(name, "Tideline PostgreSQL instance " + id.value());
        return user(name);
    }

    /** What the record of a new instance says it runs as: its own user, or ours when we are not root. */
    String recordedName(InstanceId id) {
        return root ? nameFor(instancesDir, id) : System.getProperty("user.name");
    }

    /**
     * The user the instance in {@code dir} runs as: the one its record names; {@code postgres} (the configured
     * legacy user) when the record predates per-instance users; when there is no readable record (a
     * half-made instance), the owner of its data directory, else the user it would have been given.
     */
    ServerUser of(Path dir, Optional<InstanceRecord> record) {
        if (!root) {
            return legacy;
        }
        if (record.isPresent()) {
            return record.get().osUser() == null ? legacy : user(record.get().osUser());
        }
        Optional<String> owner = ownerOf(dir.resolve(InstanceDirectory.DATA_DIR));
        if (owner.isPresent()) {
            return user(owner.get());
        }
        try {
            return user(nameFor(instancesDir, InstanceId.of(dir.getFileName().toString())));
        } catch (IllegalArgumentException e) {
            return legacy; // not an instance's directory: nothing runs there
        }
    }

    /**
     * Removes the user of instance {@code id} once its files are gone: only the one Tideline made for it
     * in this home, never a legacy or foreign user. A user that still runs a process is refused by
     * {@code userdel}, which is what we want.
     */
    void remove(InstanceId id) {
        if (root) {
            accounts.removeUser(nameFor(instancesDir, id));
        }
    }

    private ServerUser user(String name) {
        return new ServerUser(Optional.of(name), instancesDir.getFileSystem());
    }

    private static Optional<String> ownerOf(Path path) {
        try {
            String owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
            return owner.equals("root") ? Optional.empty() : Optional.of(owner);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
