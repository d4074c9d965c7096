package io.tideline.fleet;

import io.tideline.fleet.net.FleetNetwork;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One {@link NetFleet} per test class, shared by its tests and removed after the last one (also when a
 * test fails, and, through the network's lock, by the next run when this JVM was killed).
 *
 * <p>Where network namespaces cannot be made (not root), the class is skipped, saying why; with
 * {@code -Dtideline.fleet.required=true} (CI) that is a failure instead.
 */
public final class NetFleetExtension implements BeforeAllCallback, ParameterResolver {

    public static final String REQUIRED = "tideline.fleet.required";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NetFleetExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        Optional<String> unavailable = FleetNetwork.unavailableReason();
        if (unavailable.isPresent()) {
            String message = "fleet tests skipped: " + unavailable.get() + " (run as root, as CI does)";
            if (Boolean.getBoolean(REQUIRED)) {
                throw new IllegalStateException(message.replace("skipped", "cannot run") + "; " + REQUIRED + " is set");
            }
            Assumptions.abort(message);
        }
        context.getStore(NAMESPACE).getOrComputeIfAbsent(NetFleet.class, k -> new Closing(NetFleet.start(logs())), Closing.class);
    }

    private static Path logs() {
        return Path.of("target", "fleet-logs").toAbsolutePath();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == NetFleet.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).get(NetFleet.class, Closing.class).fleet();
    }

    /** Closed by JUnit with the class's store. */
    private record Closing(NetFleet fleet) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            fleet.close();
        }
    }
}
