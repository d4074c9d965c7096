package io.tideline.core.config;

import io.micronaut.context.env.AbstractPropertySourceLoader;
import io.micronaut.context.env.PropertySource;
import java.util.Map;

/**
 * What a service's stand-alone {@code main} assumes when nobody says otherwise (its port, loopback as
 * the bind address, a broker on this machine), as a property source BELOW every source a deployment
 * uses: a configuration file ({@value AbstractPropertySourceLoader#DEFAULT_POSITION}), the environment
 * and system properties win. A {@code main} that put these into {@code Micronaut.properties(..)} would
 * override them all, so a service could not be bound to a host's own address.
 */
public final class StandaloneDefaults {

    /** Under {@code application.yml}, the environment and system properties. */
    public static final int POSITION = AbstractPropertySourceLoader.DEFAULT_POSITION - 100;
    public static final String NAME = "tideline-standalone-defaults";

    private StandaloneDefaults() {
    }

    public static PropertySource of(Map<String, Object> defaults) {
        return PropertySource.of(NAME, defaults, POSITION);
    }
}
