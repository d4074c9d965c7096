package io.tideline.core.secrets;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/**
 * The {@link SecretStore} of a service: a {@link DirectorySecretStore} rooted at
 * {@value #DIR_PROPERTY}. Every service of the embedded runtime shares one context, so the bean is
 * defined once, here, and not by each service.
 */
@Factory
public class SecretStoreFactory {

    /** Root directory of the secret store (the embedded runtime's {@code <home>/secrets}). */
    public static final String DIR_PROPERTY = "tideline.secrets.dir";

    @Singleton
    @Requires(property = DIR_PROPERTY)
    SecretStore secretStore(@Property(name = DIR_PROPERTY) String dir) {
        return new DirectorySecretStore(Path.of(dir));
    }
}
