package io.tideline.restore.access;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.authentication.AuthorizationException;

/**
 * A request refused for who asks: forbidden (403) for a signed-in person without the role, unauthorized (401) when
 * nobody (any longer) is signed in. The message says why, in words, without anything secret.
 */
public final class AccessRefused extends AuthorizationException {

    private final String reason;

    public AccessRefused(@Nullable Authentication authentication, String reason) {
        super(authentication);
        this.reason = reason;
    }

    @Override
    public String getMessage() {
        return reason;
    }
}
