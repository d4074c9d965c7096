package io.tideline.restore.access;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.util.PathMatcher;
import io.micronaut.http.HttpAttributes;
import io.micronaut.http.HttpRequest;
import io.micronaut.web.router.RouteMatch;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecuredAnnotationRule;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.security.rules.SecurityRuleResult;
import jakarta.inject.Singleton;
import java.util.List;
import org.reactivestreams.Publisher;
import io.micronaut.core.async.publisher.Publishers;

/**
 * What needs no sign-in, whatever controller serves it (some live in modules without Micronaut Security): the WAL a
 * recovering server's {@code restore_command} fetches (the server has no person behind it to sign in; the
 * controller itself refuses, 403, a request without the restore's WAL token, restore-host's {@code WalToken}), the OpenAPI document, the view's stylesheet and script. The sign-in page is {@code @Secured} itself;
 * /health and /prometheus follow their {@code endpoints.*.sensitive} settings (anonymous in the runtime and the
 * standalone service). Everything else is decided by the controllers' {@code @Secured} — or refused; a signed-in
 * person asking for a route that does not exist gets Micronaut's 404/405.
 */
@Singleton
public final class OpenDoors implements SecurityRule<HttpRequest<?>> {

    static final List<String> PATTERNS = List.of("/restores/*/wal/*", "/openapi/**", "/backups/assets/**");

    @Override
    public Publisher<SecurityRuleResult> check(@Nullable HttpRequest<?> request, @Nullable Authentication authentication) {
        if (request != null && PATTERNS.stream().anyMatch(p -> PathMatcher.ANT.matches(p, request.getPath()))) {
            return Publishers.just(SecurityRuleResult.ALLOWED);
        }
        // A signed-in person asking for a route that does not exist (or not with that method) gets Micronaut's own
        // 404/405 problem; an anonymous one gets 401 and learns nothing about which routes exist.
        if (request != null && authentication != null
                && request.getAttribute(HttpAttributes.ROUTE_MATCH, RouteMatch.class).isEmpty()) {
            return Publishers.just(SecurityRuleResult.ALLOWED);
        }
        return Publishers.just(SecurityRuleResult.UNKNOWN);
    }

    @Override
    public int getOrder() {
        return SecuredAnnotationRule.ORDER - 10;
    }
}
