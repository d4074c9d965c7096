package io.tideline.platform.local.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The OS user the servers run as when it differs from ours. PostgreSQL refuses to run as root, so a
 * root process runs every server command through {@code runuser} and hands the files it writes for a
 * server to that user. Empty when we are not root: we then run the servers as ourselves.
 */
final class ServerUser {

    private final Optional<String> name;
    private final FileSystem fileSystem;

    ServerUser(Optional<String> name, FileSystem fileSystem) {
        this.name = name;
        this.fileSystem = fileSystem;
    }

    /** The configured user if we are root (only root can switch users), else nobody. */
    static ServerUser of(LocalPostgresConfig config) {
        return new ServerUser(LocalPostgresConfig.isRoot() ? config.osUser() : Optional.empty(), config.home().getFileSystem());
    }

    Optional<String> name() {
        return name;
    }

    /** {@code command}, run as the server user. */
    List<String> command(List<String> command) {
        List<String> full = new ArrayList<>();
        name.ifPresent(user -> full.addAll(List.of("runuser", "-u", user, "--")));
        full.addAll(command);
        return full;
    }

    Optional<UserPrincipal> principal() throws IOException {
        if (name.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(fileSystem.getUserPrincipalLookupService().lookupPrincipalByName(name.get()));
    }

    /** Makes the server user the owner of {@code path} (not of what a link points to). */
    void giveTo(Path path) throws IOException {
        Optional<UserPrincipal> owner = principal();
        if (owner.isPresent()) {
            Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(owner.get());
        }
    }

    /** Fails, saying what to do, when the servers cannot run as {@code configured}. */
    void requireUsable(Optional<String> configured) {
        if (configured.isPresent() && name.isEmpty() && !configured.get().equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("servers are to run as OS user " + configured.get()
                    + ", which only root can switch to; run as root or configure no OS user");
        }
        if (name.isEmpty()) {
            return;
        }
        try {
            principal();
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalStateException("OS user " + name.get() + " does not exist; PostgreSQL cannot run as root "
                    + "(the postgresql-15 package creates the postgres user)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
