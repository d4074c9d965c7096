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

/** {@code <home>/instances/}: one {@link InstanceDirectory} per instance, named by its id. */
final class InstanceDirectories {

    private final Path root;
    private final ServerUser serverUser;

    InstanceDirectories(Path root, ServerUser serverUser) {
        this.root = root;
        this.serverUser = serverUser;
    }

    InstanceDirectory of(InstanceId id) {
        return new InstanceDirectory(root.resolve(id.value()), serverUser);
    }

    /** Every directory under the root, whatever it holds (a torn record is the reader's to judge). */
    List<InstanceDirectory> all() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<InstanceDirectory> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            dirs.forEach(dir -> found.add(new InstanceDirectory(dir, serverUser)));
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
