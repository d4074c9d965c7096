package io.tideline.testkit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects the JVM-wide real {@link KafkaBroker} into test constructors, test methods and
 * {@code @BeforeAll static} methods. The broker starts the first time a test asks for it and is
 * stopped when the test run ends (also after failures). A test that stopped it to simulate an
 * outage gets it restarted afterwards, so the next test finds it running.
 */
public final class KafkaExtension implements ParameterResolver, AfterEachCallback {

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return KafkaBroker.of(extensionContext);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (KafkaBroker.isStarted(context)) {
            KafkaBroker broker = KafkaBroker.of(context);
            if (!broker.isRunning()) {
                broker.start();
            }
        }
    }
}
