package io.tideline.platform.local.postgres;

import io.tideline.core.instance.WalSpool;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The local provisioner's {@link WalSpool}: the directory {@code <instance>/wal-spool} beside the data
 * directory, on the same file system, so the server's rename into {@code pg_wal} is atomic and copies
 * nothing, and outside it, so base backups of the new instance do not carry it.
 *
 * <p>The server and the restore both reach for a file by renaming it, which is what makes exactly one of
 * them get it. A file is visible under its segment name only once written in full and handed to the
 * server's user (temporary name, then a rename).
 */
public final class DirectoryWalSpool implements WalSpool {

    /** Only complete segments are spooled: names that cannot escape the directory. */
    private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}");
    /** Characters that mean something inside a double-quoted shell word, or to restore_command ({@code %}). */
    private static final Pattern SHELL_SAFE = Pattern.compile("[^\"$`\\\\%\\n\\r]+");
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path dir;
    private final Optional<UserPrincipal> owner;

    /**
     * @param dir   an existing directory the server's OS user may rename files out of
     * @param owner the server's OS user when it is not this process's user (files are handed to it)
     */
    public DirectoryWalSpool(Path dir, Optional<UserPrincipal> owner) {
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath();
        this.owner = Objects.requireNonNull(owner, "owner");
        if (!SHELL_SAFE.matcher(this.dir.toString()).matches()) {
            throw new IllegalArgumentException("a WAL spool path must not contain \" $ ` \\ % or line breaks: " + this.dir);
        }
    }

    /** The directory; safe to put between double quotes in a shell command. */
    public Path dir() {
        return dir;
    }

    /** {@code mv -f "<dir>/%f" "%p" 2>/dev/null}: a rename, so it fails when the segment is not (or no longer) there. */
    @Override
    public String restoreCommandFragment() {
        return "mv -f \"" + dir + "/%f\" \"%p\" 2>/dev/null";
    }

    /** Puts a segment: written under a temporary name, handed to the server's user, then renamed into place. */
    @Override
    public void put(String segmentName, byte[] bytes) throws IOException {
        Path target = file(segmentName);
        Path temp = dir.resolve(TEMP_PREFIX + segmentName + "-" + UUID.randomUUID());
        try {
            Files.write(temp, bytes);
            PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            // The server keeps restored segments in pg_wal and may later recycle them for writing.
            view.setPermissions(PosixFilePermissions.fromString("rw-------"));
            if (owner.isPresent()) {
                view.setOwner(owner.get());
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Whether the segment is still waiting in the spool (the server has not taken it). */
    @Override
    public boolean holds(String segmentName) {
        return Files.exists(file(segmentName), LinkOption.NOFOLLOW_LINKS);
    }

    /** Takes a segment back out of the spool: its bytes, or empty when the server took it first. */
    @Override
    public Optional<byte[]> take(String segmentName) throws IOException {
        Path claimed = dir.resolve(TEMP_PREFIX + segmentName + "-" + UUID.randomUUID());
        try {
            Files.move(file(segmentName), claimed, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(claimed));
        } finally {
            Files.deleteIfExists(claimed);
        }
    }

    /** Removes a segment the server no longer needs; a no-op if it took it. */
    @Override
    public void discard(String segmentName) throws IOException {
        Files.deleteIfExists(file(segmentName));
    }

    /** Removes every file (after the restore, so segments past its target do not linger on disk). */
    @Override
    public void clear() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        } catch (NoSuchFileException e) {
            // the instance and its spool are gone already
        }
    }

    private Path file(String segmentName) {
        if (!SEGMENT.matcher(segmentName).matches()) {
            throw new IllegalArgumentException("not a WAL segment name: '" + segmentName + "'");
        }
        return dir.resolve(segmentName);
    }

    @Override
    public String toString() {
        return "WalSpool[" + dir + "]";
    }
}
