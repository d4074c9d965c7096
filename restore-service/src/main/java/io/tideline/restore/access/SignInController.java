package io.tideline.restore.access;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.tideline.core.access.LocalUsers;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.authentication.AuthenticationResponse;
import io.micronaut.security.authentication.Authenticator;
import io.micronaut.security.authentication.UsernamePasswordCredentials;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.security.token.generator.TokenGenerator;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.views.ModelAndView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.tideline.core.http.Problem;
import io.tideline.core.http.Problems;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in and out: the view's form ({@code GET/POST /login}, {@code POST /logout}) and the CLI's token
 * ({@code POST /api/tokens}, what {@code tideline login} calls). Both check the password through Micronaut
 * Security's {@link Authenticator} (the local users' provider), count failures per user and address
 * ({@link SignInLimiter}: past the limit 429 with {@code Retry-After}, and the password is not even checked), and log
 * each failure with the user and the address — never the password.
 */
@Controller
@Secured(SecurityRule.IS_ANONYMOUS)
@Requires(beans = LocalUsers.class)
// signing in is for the API and the view: a process that serves neither (the restore agent) offers no sign-in
@Requires(beans = io.tideline.restore.view.BackupsViewReader.class)
public class SignInController {

    public static final String LOGIN = "/login";
    public static final String LOGOUT = "/logout";
    public static final String TOKENS = "/api/tokens";
    /** The sign-in form's own CSRF token (double submit: this cookie and the form's field must be equal). */
    static final String FORM_COOKIE = "tideline_signin";
    private static final Logger LOG = LoggerFactory.getLogger(SignInController.class);

    private final Authenticator<HttpRequest<?>> authenticator;
    private final SignInSessions sessions;
    private final SignInLimiter limiter;
    private final TokenGenerator tokens;
    private final AccessConfiguration config;
    private final Clock clock;

    public SignInController(Authenticator<HttpRequest<?>> authenticator, SignInSessions sessions, SignInLimiter limiter,
                            TokenGenerator tokens, AccessConfiguration config, Clock clock) {
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.limiter = limiter;
        this.tokens = tokens;
        this.config = config;
        this.clock = clock;
    }

    /** The sign-in form's fields. */
    @Serdeable
    public record SignInForm(@Nullable String username, @Nullable String password, @Nullable String csrfToken,
                             @Nullable String next) {
    }

    /** The sign-out form's field. */
    @Serdeable
    public record SignOutForm(@Nullable String csrfToken) {
    }

    /** {@code tideline login}'s request. */
    @Serdeable
    @Schema(description = "A local user's name and password")
    public record TokenRequest(@Nullable String username, @Nullable String password) {
    }

    /** A bearer token for the API. */
    @Serdeable
    @Schema(description = "A bearer token for the API (Authorization: Bearer <token>)")
    public record TokenAnswer(String username, String token, String expiresAt) {
    }

    @Get(LOGIN)
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The Backups view's sign-in form (HTML; sets the form's CSRF cookie)")
    public HttpResponse<?> form(HttpRequest<?> request, @Nullable @QueryValue String next, @Nullable @QueryValue String out) {
        if (SessionAuthentication.sessionOf(request, sessions, false).isPresent()) {
            return HttpResponse.seeOther(java.net.URI.create(safeNext(next)));
        }
        return page(HttpStatus.OK, null, out != null ? "You are signed out." : null, next, "");
    }

    @Post(uri = LOGIN, consumes = MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @ExecuteOn(TaskExecutors.BLOCKING) // BCrypt takes a while on purpose
    @Operation(summary = "Sign in to the Backups view (form: username, password, csrfToken, next)",
            description = "303 to next with the session cookie; 401 wrong password, 403 form token missing or wrong, "
                    + "429 too many failures of this user from this address (Retry-After); HTML in each case")
    public HttpResponse<?> signIn(HttpRequest<?> request, @Body SignInForm form) {
        String user = form.username() == null ? "" : form.username().strip();
        Optional<String> formToken = request.getCookies().findCookie(FORM_COOKIE).map(Cookie::getValue);
        if (formToken.isEmpty() || form.csrfToken() == null || !CsrfCheck.same(formToken.get(), form.csrfToken())) {
            return page(HttpStatus.FORBIDDEN, "The sign-in form expired or did not come from this page: try again.", null,
                    form.next(), user);
        }
        Outcome outcome = check(request, user, form.password());
        if (outcome.retryAfter() != null) {
            return page(HttpStatus.TOO_MANY_REQUESTS, "Too many failed sign-ins: try again in " + seconds(outcome.retryAfter()) + " s.",
                    null, form.next(), user).header("Retry-After", String.valueOf(seconds(outcome.retryAfter())));
        }
        if (outcome.who() == null) {
            return page(HttpStatus.UNAUTHORIZED, "Wrong user name or password.", null, form.next(), user);
        }
        SignInSessions.Session session = sessions.open(outcome.who().getName());
        return HttpResponse.seeOther(java.net.URI.create(safeNext(form.next())))
                .cookie(cookie(request, SessionAuthentication.COOKIE, session.id(), config.sessionIdleTimeout()))
                .cookie(expired(request, FORM_COOKIE));
    }

    @Post(uri = LOGOUT, consumes = MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(summary = "Sign out of the Backups view (form: csrfToken of the session); 303 to the sign-in form")
    public HttpResponse<?> signOut(HttpRequest<?> request, @Body SignOutForm form) {
        Optional<SignInSessions.Session> session = SessionAuthentication.sessionOf(request, sessions, false);
        if (session.isPresent()) {
            if (form.csrfToken() == null || !CsrfCheck.same(form.csrfToken(), session.get().csrfToken())) {
                return Problems.of(HttpStatus.FORBIDDEN, CsrfCheck.SLUG, "CSRF token missing or wrong",
                        "signing out needs the page's CSRF token (reload the page)", List.of());
            }
            sessions.close(session.get().id());
            LOG.info("{} signed out of the Backups view", session.get().user());
        }
        return HttpResponse.seeOther(java.net.URI.create(LOGIN + "?out=1")).cookie(expired(request, SessionAuthentication.COOKIE));
    }

    @Post(uri = TOKENS, consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    @Operation(summary = "Sign in for a bearer token (what tideline login does)")
    @ApiResponse(responseCode = "201", description = "signed in", content = @Content(mediaType = "application/json", schema = @Schema(implementation = TokenAnswer.class)))
    @ApiResponse(responseCode = "401", description = "wrong user name or password", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "429", description = "too many failed sign-ins of this user from this address: try again after Retry-After seconds", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    public HttpResponse<?> token(HttpRequest<?> request, @Body TokenRequest body) {
        String user = body.username() == null ? "" : body.username().strip();
        Outcome outcome = check(request, user, body.password());
        if (outcome.retryAfter() != null) {
            return Problems.of(HttpStatus.TOO_MANY_REQUESTS, "too-many-sign-ins", "Too many failed sign-ins",
                            "too many failed sign-ins of " + user + " from this address: try again in " + seconds(outcome.retryAfter()) + " s",
                            List.of())
                    .header("Retry-After", String.valueOf(seconds(outcome.retryAfter())));
        }
        if (outcome.who() == null) {
            return Problems.of(HttpStatus.UNAUTHORIZED, SignInRequired.UNAUTHORIZED, "Sign-in refused", "wrong user name or password",
                    List.of());
        }
        Instant expires = clock.instant().plus(config.tokenLifetime());
        String token = tokens.generateToken(outcome.who(), (int) config.tokenLifetime().toSeconds())
                .orElseThrow(() -> new IllegalStateException("no token could be signed"));
        return HttpResponse.created(new TokenAnswer(outcome.who().getName(), token, expires.toString()));
    }

    /** A sign-in's outcome: who signed in, or how long to wait, or neither (wrong password). */
    private record Outcome(@Nullable Authentication who, @Nullable Duration retryAfter) {
    }

    private Outcome check(HttpRequest<?> request, String user, @Nullable String password) {
        String address = address(request);
        Optional<Duration> wait = limiter.wait(user, address);
        if (wait.isPresent()) {
            LOG.warn("sign-in of user '{}' from {} refused without checking: too many failures, {} s left", printable(user),
                    address, seconds(wait.get()));
            return new Outcome(null, wait.get());
        }
        AuthenticationResponse response = first(authenticator.authenticate(request,
                new UsernamePasswordCredentials(user, password == null ? "" : password)));
        if (response != null && response.isAuthenticated() && response.getAuthentication().isPresent()) {
            limiter.succeeded(user, address);
            LOG.info("{} signed in from {}", printable(user), address);
            return new Outcome(response.getAuthentication().get(), null);
        }
        limiter.failed(user, address);
        LOG.warn("failed sign-in of user '{}' from {}", printable(user), address);
        return new Outcome(null, null);
    }

    private MutableHttpResponse<?> page(HttpStatus status, @Nullable String error, @Nullable String note, @Nullable String next,
                                        String user) {
        String formToken = sessions.randomToken();
        Map<String, Object> model = new HashMap<>();
        model.put("error", error);
        model.put("note", note);
        model.put("next", safeNext(next));
        model.put("user", user);
        model.put("csrf", formToken);
        return HttpResponse.status(status).body(new ModelAndView<>("backups/login", model))
                .contentType(MediaType.TEXT_HTML_TYPE)
                .cookie(Cookie.of(FORM_COOKIE, formToken).path(LOGIN).httpOnly(true).sameSite(SameSite.Strict));
    }

    private static Cookie cookie(HttpRequest<?> request, String name, String value, Duration maxAge) {
        return Cookie.of(name, value).path("/").httpOnly(true).sameSite(SameSite.Lax).secure(request.isSecure())
                .maxAge(maxAge.toSeconds());
    }

    private static Cookie expired(HttpRequest<?> request, String name) {
        return Cookie.of(name, "").path(name.equals(FORM_COOKIE) ? LOGIN : "/").httpOnly(true).secure(request.isSecure()).maxAge(0);
    }

    /** Only a path of this site: never another site ({@code //host}, {@code https://...}). */
    static String safeNext(@Nullable String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\") || next.startsWith(LOGIN)) {
            return "/backups";
        }
        return next;
    }

    static String encode(String path) {
        return URLEncoder.encode(path, StandardCharsets.UTF_8);
    }

    private static String address(HttpRequest<?> request) {
        InetSocketAddress remote = request.getRemoteAddress();
        return remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
    }

    /** A user name as typed, safe in a log line (no line breaks or control characters, bounded). */
    static String printable(String user) {
        String clean = user.replaceAll("[^A-Za-z0-9._@+-]", "?");
        return clean.length() > 64 ? clean.substring(0, 64) + "…" : clean;
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }

    /** The authenticator's one answer (the local users' provider answers at once, on this blocking thread). */
    private static AuthenticationResponse first(Publisher<AuthenticationResponse> publisher) {
        CompletableFuture<AuthenticationResponse> answer = new CompletableFuture<>();
        publisher.subscribe(new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(1);
            }

            @Override
            public void onNext(AuthenticationResponse r) {
                answer.complete(r);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                answer.complete(null);
            }
        });
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signing in", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the sign-in could not be checked", e.getCause());
        }
    }
}
