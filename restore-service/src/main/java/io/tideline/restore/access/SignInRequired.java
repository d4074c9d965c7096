package io.tideline.restore.access;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.security.authentication.AuthorizationException;
import io.micronaut.security.authentication.DefaultAuthorizationExceptionHandler;
import io.tideline.core.http.Problems;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.List;

/**
 * Answers a refused request: a browser asking for a page without a session is sent to the sign-in page (303, with
 * where it wanted to go); anything else gets a problem — 401 (sign in; {@code WWW-Authenticate: Bearer}) or 403 (the
 * person lacks the role), saying why in words.
 */
@Singleton
@Replaces(DefaultAuthorizationExceptionHandler.class)
public final class SignInRequired implements ExceptionHandler<AuthorizationException, MutableHttpResponse<?>> {

    static final String UNAUTHORIZED = "sign-in-required";
    static final String FORBIDDEN = "not-allowed";

    @Override
    public MutableHttpResponse<?> handle(HttpRequest request, AuthorizationException exception) {
        if (!exception.isForbidden() && wantsPage(request)) {
            return HttpResponse.seeOther(URI.create(SignInController.LOGIN + "?next=" + SignInController.encode(request.getPath())));
        }
        String detail = exception instanceof AccessRefused refused ? refused.getMessage()
                : exception.isForbidden() ? exception.getAuthentication().getName() + " may not do this" : "sign in first: a session of the "
                + "Backups view, or a token from 'tideline login' (Authorization: Bearer)";
        if (exception.isForbidden()) {
            return Problems.of(HttpStatus.FORBIDDEN, FORBIDDEN, "Not allowed", detail, List.of());
        }
        return Problems.of(HttpStatus.UNAUTHORIZED, UNAUTHORIZED, "Sign-in required", detail, List.of())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }

    /** A page of the view asked for by a browser (not the script's JSON calls). */
    private static boolean wantsPage(HttpRequest<?> request) {
        return "GET".equals(request.getMethodName()) && !request.getPath().startsWith("/api/")
                && request.getHeaders().accept().stream().anyMatch(m -> m.equals(MediaType.TEXT_HTML_TYPE));
    }
}
