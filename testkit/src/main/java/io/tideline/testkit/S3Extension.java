package io.tideline.testkit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects the JVM-wide real {@link S3Server} into test constructors, test methods and
 * {@code @BeforeAll static} methods. It starts the first time a test asks for it and stops when
 * the test run ends (also after failures). A test that stopped it to simulate an outage gets it
 * restarted afterwards, so the next test finds it running.
 */
public final class S3Extension implements ParameterResolver, AfterEachCallback {

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == S3Server.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return S3Server.of(extensionContext);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (S3Server.isStarted(context)) {
            S3Server server = S3Server.of(context);
            if (!server.isRunning()) {
                server.start();
            }
        }
    }
}
