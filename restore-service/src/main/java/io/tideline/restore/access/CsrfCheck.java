package io.tideline.restore.access;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.tideline.core.http.Problems;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * CSRF protection of the API's state-changing calls made with the view's session cookie (a synchronizer token):
 * a POST, PUT, PATCH or DELETE under {@code /api/} that carries the session cookie and no bearer token must send
 * the session's token in {@value #HEADER} (the page's script does); else 403, and nothing happens. Calls with a
 * bearer token carry no ambient credential, so another site cannot forge them. The sign-in and sign-out forms check
 * their own token ({@link SignInController}).
 */
@ServerFilter("/api/**")
public final class CsrfCheck {

    public static final String HEADER = "X-CSRF-Token";
    static final String SLUG = "csrf-token-refused";

    private final SignInSessions sessions;

    public CsrfCheck(SignInSessions sessions) {
        this.sessions = sessions;
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> check(HttpRequest<?> request) {
        HttpMethod method = request.getMethod();
        boolean changes = method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH
                || method == HttpMethod.DELETE;
        if (!changes || request.getHeaders().contains(HttpHeaders.AUTHORIZATION)) {
            return null;
        }
        Optional<SignInSessions.Session> session = SessionAuthentication.sessionOf(request, sessions, false);
        if (session.isEmpty()) {
            return null; // no session: nothing ambient to abuse, and the security filter answers 401
        }
        String sent = request.getHeaders().get(HEADER);
        if (sent != null && same(sent, session.get().csrfToken())) {
            return null;
        }
        return Problems.of(HttpStatus.FORBIDDEN, SLUG, "CSRF token missing or wrong",
                "a change made with the Backups view's session needs its CSRF token in " + HEADER
                        + " (reload the page); nothing was done", List.of());
    }

    /** Compared in constant time. */
    static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
