package io.tideline.restore.access;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Require;
import java.time.Duration;

/**
 * {@code tideline.access.*}: how people sign in to the API and the Backups view.
 *
 * @param sessionIdleTimeout a view session ends after this long without a request
 * @param tokenLifetime      how long a token from {@code tideline login} is good for
 * @param signInAttempts     failed sign-ins of one user from one address allowed within {@code signInWindow};
 *                           past that, 429 with Retry-After
 * @param signInWindow       the window the failed sign-ins are counted in
 */
@ConfigurationProperties(AccessConfiguration.PREFIX)
public record AccessConfiguration(@Bindable(defaultValue = DEFAULT_SESSION_IDLE_TIMEOUT) Duration sessionIdleTimeout,
                                  @Bindable(defaultValue = DEFAULT_TOKEN_LIFETIME) Duration tokenLifetime,
                                  @Bindable(defaultValue = DEFAULT_SIGN_IN_ATTEMPTS) int signInAttempts,
                                  @Bindable(defaultValue = DEFAULT_SIGN_IN_WINDOW) Duration signInWindow) {

    public static final String PREFIX = "tideline.access";
    public static final String SESSION_IDLE_TIMEOUT = PREFIX + ".session-idle-timeout";
    public static final String SIGN_IN_ATTEMPTS = PREFIX + ".sign-in-attempts";
    static final String DEFAULT_SESSION_IDLE_TIMEOUT = "30m";
    static final String DEFAULT_TOKEN_LIFETIME = "12h";
    static final String DEFAULT_SIGN_IN_ATTEMPTS = "5";
    static final String DEFAULT_SIGN_IN_WINDOW = "1m";

    public AccessConfiguration {
        Require.positive(sessionIdleTimeout, PREFIX + ".session-idle-timeout");
        Require.positive(tokenLifetime, PREFIX + ".token-lifetime");
        Require.positive(signInWindow, PREFIX + ".sign-in-window");
        Require.that(signInAttempts > 0, PREFIX + ".sign-in-attempts", "must be at least 1", signInAttempts);
    }
}
