package io.tideline.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a {@link PostgresClusters} parameter: real PostgreSQL clusters, one shared fixture
 * per JVM (in the root store, so it is closed once, at the end of the run, after every test class).
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class SomeIT {
 *     @Test void works(PostgresClusters clusters) throws Exception {
 *         ProvisionedInstance pg = clusters.create("some");
 *         try (Connection c = clusters.connect(pg)) { ... }
 *     }
 * }
 * }</pre>
 */
public final class PostgresExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == PostgresClusters.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return clusters(context);
    }

    /** The JVM-wide clusters fixture. */
    public static PostgresClusters clusters(ExtensionContext context) {
        // The home first: the root store closes in reverse order of insertion, so the clusters are
        // destroyed before the home directory is removed.
        TestHome home = TestHome.of(context);
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(PostgresClusters.class,
                k -> PostgresClusters.start(home.root(), home.secrets()), PostgresClusters.class);
    }
}
