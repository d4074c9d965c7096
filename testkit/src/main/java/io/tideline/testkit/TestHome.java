package io.tideline.testkit;

import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Tideline home directory per test JVM, laid out like the embedded runtime's
 * ({@code docs/architecture.md}), shared by every fixture so that the storage provisioner,
 * the S3 server and the instance provisioner see the same secrets and identities.
 * Removed when the JVM's root extension context closes.
 */
public final class TestHome implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TestHome.class);

    private final Path root;
    private final DirectorySecretStore secrets;

    private TestHome(Path root) {
        this.root = root;
        this.secrets = new DirectorySecretStore(root.resolve("secrets"));
    }

    /** The JVM-wide home, created on first use. */
    public static TestHome of(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(TestHome.class, k -> create(), TestHome.class);
    }

    static TestHome create() {
        try {
            // Under /tmp, world-traversable, because PostgreSQL runs as the postgres user and must reach its data directory.
            Path root = Files.createTempDirectory("tideline-test-");
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            return new TestHome(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the test home directory", e);
        }
    }

    public Path root() {
        return root;
    }

    public Path dir(String relative) {
        Path dir = root.resolve(relative);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    public DirectorySecretStore secrets() {
        return secrets;
    }

    @Override
    public void close() {
        if (Boolean.getBoolean("tideline.test.keepHome")) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Leaving a temp directory behind must not fail a green test run.
        }
    }
}
