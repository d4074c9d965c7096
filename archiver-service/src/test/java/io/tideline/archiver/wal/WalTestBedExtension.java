package io.tideline.archiver.wal;

import io.tideline.testkit.Fleet;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test a {@link WalTestBed} on the JVM's shared {@link Fleet}, closed (its archivers, instances and
 * event watcher) when the scope that first asked for it ends: the test method, or the whole class when a
 * {@code @BeforeAll} of a per-class test asked. Test methods of such a class get the class's bed.
 */
final class WalTestBedExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(WalTestBedExtension.class);

    private record Closing(WalTestBed bed) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            bed.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == WalTestBed.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(WalTestBed.class, k -> new Closing(new WalTestBed(Fleet.of(context))), Closing.class)
                .bed();
    }
}
