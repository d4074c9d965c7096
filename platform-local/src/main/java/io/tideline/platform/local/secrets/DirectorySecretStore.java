package io.tideline.platform.local.secrets;

import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The embedded runtime's secret store: one file per secret, mode 0600, under one directory.
 * Writes go to a temporary file renamed into place, so readers never see a torn value. A delete also
 * removes the directories it leaves empty (up to, never including, the root): an instance whose
 * secrets are all deleted leaves no {@code instances/<id>/} behind.
 */
public final class DirectorySecretStore implements SecretStore {

    private final Path root;

    public DirectorySecretStore(Path root) {
        this.root = root.toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    /** The file that holds {@code ref}; other processes of the embedded runtime read it directly. */
    public Path fileOf(SecretRef ref) {
        return root.resolve(ref.value());
    }

    @Override
    public void put(SecretRef ref, String value) {
        Path file = fileOf(ref);
        try {
            Path tmp;
            try {
                tmp = createTemp(file);
            } catch (NoSuchFileException e) {
                // a delete of the directory's last secret removed it between the two steps: once more
                tmp = createTemp(file);
            }
            Files.writeString(tmp, value, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store secret " + ref + " under " + root, e);
        }
    }

    /** Atomic across processes: the complete file is linked into place, and a link never replaces a file. */
    @Override
    public boolean putIfAbsent(SecretRef ref, String value) {
        Path file = fileOf(ref);
        Path tmp = null;
        try {
            try {
                tmp = createTemp(file);
            } catch (NoSuchFileException e) {
                tmp = createTemp(file);
            }
            Files.writeString(tmp, value, StandardCharsets.UTF_8);
            Files.createLink(file, tmp);
            return true;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store secret " + ref + " under " + root, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray temporary file is harmless; the secret's outcome is what matters
                }
            }
        }
    }

    private static Path createTemp(Path file) throws IOException {
        Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return Files.createTempFile(file.getParent(), ".tmp-", ".secret",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    @Override
    public Optional<String> find(SecretRef ref) {
        try {
            return Optional.of(Files.readString(fileOf(ref), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read secret " + ref + " under " + root, e);
        }
    }

    @Override
    public void delete(SecretRef ref) {
        try {
            Files.deleteIfExists(fileOf(ref));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete secret " + ref + " under " + root, e);
        }
        removeEmptyParents(fileOf(ref).getParent());
    }

    /** Removes {@code dir} and its parents below the root while they are empty; a non-empty one ends it. */
    private void removeEmptyParents(Path dir) {
        for (Path d = dir; d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
            try {
                Files.deleteIfExists(d);
            } catch (DirectoryNotEmptyException e) {
                return;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the empty secrets directory " + d, e);
            }
        }
    }
}
