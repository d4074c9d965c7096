package io.tideline.restore.access;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.filters.AuthenticationFetcher;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reactivestreams.Publisher;

/**
 * Who a browser is, from its session cookie ({@value #COOKIE}): Micronaut Security asks every
 * {@link AuthenticationFetcher}; this one answers for the Backups view, the bearer-token fetcher for the CLI. Each
 * request restarts the session's idle clock. The session's CSRF token rides along as attribute {@value #CSRF} for
 * the pages (forms and the script send it back).
 */
public final class SessionAuthentication implements AuthenticationFetcher<HttpRequest<?>> {

    public static final String COOKIE = "tideline_session";
    public static final String CSRF = "csrf";

    private final SignInSessions sessions;

    public SessionAuthentication(SignInSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public Publisher<Authentication> fetchAuthentication(HttpRequest<?> request) {
        Optional<SignInSessions.Session> session = sessionOf(request, sessions, true);
        return session.map(s -> Publishers.just(Authentication.build(s.user(), List.of(),
                        Map.of(CSRF, s.csrfToken(), Access.LOCAL, true))))
                .orElseGet(Publishers::empty);
    }

    /** The request's session, if it carries the cookie of a live one; {@code use}: restart its idle clock. */
    static Optional<SignInSessions.Session> sessionOf(HttpRequest<?> request, SignInSessions sessions, boolean use) {
        return request.getCookies().findCookie(COOKIE).map(Cookie::getValue)
                .flatMap(id -> use ? sessions.use(id) : sessions.peek(id));
    }
}
