package io.tideline.platform.local.postgres;

import io.tideline.core.ids.InstanceId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code <home>/instances/}: one {@link InstanceDirectory} per instance, named by its id, each with the
 * OS user its server runs as ({@link InstanceUsers}).
 */
final class InstanceDirectories {

    private final Path root;
    private final Function<Path, ServerUser> userOf;

    InstanceDirectories(Path root, InstanceUsers users) {
        this.root = root;
        this.userOf = dir -> users.of(dir, readableRecord(dir));
    }

    /** Every instance runs as {@code serverUser} (tests of the layout). */
    InstanceDirectories(Path root, ServerUser serverUser) {
        this.root = root;
        this.userOf = dir -> serverUser;
    }

    InstanceDirectory of(InstanceId id) {
        return at(root.resolve(id.value()));
    }

    /** The directory of a new instance whose server will run as {@code user}. */
    InstanceDirectory ofNew(InstanceId id, ServerUser user) {
        return new InstanceDirectory(root.resolve(id.value()), user);
    }

    private InstanceDirectory at(Path dir) {
        return new InstanceDirectory(dir, () -> userOf.apply(dir));
    }

    /** Its record, or empty when it has none or a torn one (whose user the data directory's owner tells). */
    private static Optional<InstanceRecord> readableRecord(Path dir) {
        try {
            return InstanceRecord.read(dir);
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
    }

    /** Every directory under the root, whatever it holds (a torn record is the reader's to judge). */
    List<InstanceDirectory> all() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<InstanceDirectory> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            dirs.forEach(dir -> found.add(at(dir)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return found;
    }

    /**
     * Creates the root readable by all, and fails, saying what to do, when the server user cannot
     * traverse a directory above it (a home under a private directory such as {@code /root}).
     */
    void requireReachable(String user) {
        try {
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Path p = root.getParent(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IllegalStateException("PostgreSQL runs as OS user " + user + ", which cannot reach "
                            + root + " because " + p + " is not traversable: chmod o+x " + p
                            + " or choose another Tideline home");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + root, e);
        }
    }
}
