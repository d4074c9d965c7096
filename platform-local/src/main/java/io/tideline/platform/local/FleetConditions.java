package io.tideline.platform.local;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;

/** Conditions of {@link LocalPlatformFactory} that a single {@code @Requires(property)} cannot say. */
public final class FleetConditions {

    private FleetConditions() {
    }

    /** A secrets directory is configured, directly or through the home. */
    public static final class HasSecretsDir implements Condition {
        @Override
        public boolean matches(ConditionContext context) {
            var env = context.getBeanContext();
            if (env instanceof io.micronaut.context.ApplicationContext app) {
                return app.getProperty(FleetConfiguration.SECRETS_DIR, String.class).isPresent()
                        || app.getProperty(FleetConfiguration.HOME, String.class).isPresent();
            }
            return false;
        }
    }
}
