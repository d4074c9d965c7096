package io.tideline.platform.local.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.secrets.SecretRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17, finding 5: deleting an instance's secrets left an empty {@code instances/<id>/} directory. */
class DirectorySecretStoreTest {

    @TempDir
    Path root;

    @Test
    void deletingAnInstancesLastSecretRemovesItsDirectoryButNeverTheRootOrASibling() {
        DirectorySecretStore store = new DirectorySecretStore(root);
        store.put(SecretRef.of("instances/a/admin"), "x");
        store.put(SecretRef.of("instances/a/replicator"), "y");
        store.put(SecretRef.of("instances/b/admin"), "z");

        store.delete(SecretRef.of("instances/a/admin"));
        assertTrue(Files.isDirectory(root.resolve("instances/a")), "one secret of a is left");
        store.delete(SecretRef.of("instances/a/replicator"));
        assertFalse(Files.exists(root.resolve("instances/a")));
        assertEquals(Optional.of("z"), store.find(SecretRef.of("instances/b/admin")));

        store.delete(SecretRef.of("instances/b/admin"));
        store.delete(SecretRef.of("instances/b/admin")); // again: nothing there, no error
        assertTrue(Files.isDirectory(root), "the root stays");
        assertFalse(Files.exists(root.resolve("instances")));

        store.put(SecretRef.of("instances/a/admin"), "again");
        assertEquals(Optional.of("again"), store.find(SecretRef.of("instances/a/admin")));
    }

    @Test
    void putIfAbsentStoresOnlyTheFirstValueWithMode0600AndLeavesNoTemporaryFile() throws Exception {
        DirectorySecretStore store = new DirectorySecretStore(root);
        SecretRef keyring = SecretRef.of("keyrings/a/keys");
        assertTrue(store.putIfAbsent(keyring, "first"));
        assertFalse(store.putIfAbsent(keyring, "second"));
        assertEquals(Optional.of("first"), store.find(keyring));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(store.fileOf(keyring))));
        try (var files = Files.list(store.fileOf(keyring).getParent())) {
            assertEquals(1, files.count(), "only the secret itself");
        }
    }
}
