package io.tideline.restore.access;

import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.context.ApplicationContextConfigurer;
import io.micronaut.context.annotation.ContextConfigurer;
import io.micronaut.context.env.PropertySource;
import java.util.Map;

/**
 * Micronaut Security's defaults where they differ from what Tideline wants, for every context whose classpath holds
 * the restore service (the runtime's one context, the stand-alone service, the tests), as a property source below
 * every configuration a deployment gives: RFC 7662 token introspection ({@code /token_info}) is off — the CLI's
 * tokens are for this API only, and nothing else should learn about them.
 */
@ContextConfigurer
public final class SecurityDefaults implements ApplicationContextConfigurer {

    /** Below {@code application.yml}, system properties and the environment (and {@code StandaloneDefaults}). */
    static final int ORDER = -450;

    @Override
    public void configure(ApplicationContextBuilder builder) {
        builder.propertySources(PropertySource.of("tideline-security-defaults",
                Map.of("micronaut.security.endpoints.introspection.enabled", false), ORDER));
    }
}
