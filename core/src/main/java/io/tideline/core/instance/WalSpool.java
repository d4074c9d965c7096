package io.tideline.core.instance;

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
 * A directory where a restore puts WAL segments ahead of a recovering server's asking, so that its
 * {@code restore_command} takes the next segment with one {@code rename} instead of a download
 * (pgBackRest's asynchronous archive-get keeps a queue the same way). It lies beside the server's data
 * directory, on the same file system, so the rename into {@code pg_wal} is atomic and copies nothing.
 *
 * <p>The server and the restore both reach for a file by renaming it, so exactly one of them gets it:
 * a file the server took is gone for the restore ({@link #take} answers empty), and a file the restore
 * took back makes the server's rename fail, after which its command asks the restore service instead.
 * A file is visible under its segment name only once written in full and handed to the server's user.
 */
public final class WalSpool {

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
    public WalSpool(Path dir, Optional<UserPrincipal> owner) {
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

    /** Puts a segment: written under a temporary name, handed to the server's user, then renamed into place. */
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
    public boolean holds(String segmentName) {
        return Files.exists(file(segmentName), LinkOption.NOFOLLOW_LINKS);
    }

    /** Takes a segment back out of the spool: its bytes, or empty when the server took it first. */
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
    public void discard(String segmentName) throws IOException {
        Files.deleteIfExists(file(segmentName));
    }

    /** Removes every file (after the restore, so segments past its target do not linger on disk). */
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
