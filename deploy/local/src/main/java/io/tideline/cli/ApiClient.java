package io.tideline.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tideline.cli.output.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The services' HTTP API as the signed-in person ({@link CliToken}, from {@code tideline login}): every call bounded
 * by the deployment's answer timeout ({@link NoAnswer} when it does not answer), each sending the bearer token.
 */
public final class ApiClient {

    private final URI api;
    private final Optional<CliToken> token;
    private final Deployment target;
    private final HttpClient http;
    private final CliTls.Trust trust;

    private ApiClient(Deployment target, URI api, Optional<CliToken> token) {
        this.target = target;
        this.api = api;
        this.token = token;
        // HTTPS trusting --ca-file, else the home's Tideline CA (issue 14.1); a refused certificate is named in the error
        this.trust = target.trust();
        this.http = CliTls.httpClient(trust, target.answerTimeout());
    }

    /**
     * The API of {@code target} as the person signed in to it.
     *
     * @throws CliException {@link ExitCodes#REFUSED} when nobody is signed in, the token expired or is for another API
     */
    public static ApiClient signedIn(Deployment target, Clock clock) {
        URI api = target.api().orElseThrow(() -> CliException.failure("the services' API is not known (give --api)"));
        CliToken token = CliToken.read(target.home()).orElseThrow(() -> CliException.refused(
                "not signed in: ./tideline login (the API requires a signed-in person)"));
        if (!same(token.api(), api)) {
            throw CliException.refused("the sign-in token is for " + token.api() + ", not " + api + ": ./tideline login");
        }
        if (!token.expiresAt().isAfter(clock.instant())) {
            throw CliException.refused("the sign-in of " + token.user() + " expired at " + token.expiresAt() + ": ./tideline login");
        }
        return new ApiClient(target, api, Optional.of(token));
    }

    /** The API of {@code target} with the token when there is a valid one for it, else without (the call may get 401). */
    public static Optional<ApiClient> ifSignedIn(Deployment target, Clock clock) {
        try {
            return Optional.of(signedIn(target, clock));
        } catch (CliException e) {
            return Optional.empty();
        }
    }

    /** The API of {@code target}, without a token: for signing in. */
    public static ApiClient anonymous(Deployment target) {
        URI api = target.api().orElseThrow(() -> CliException.failure("the services' API is not known (give --api)"));
        return new ApiClient(target, api, Optional.empty());
    }

    public URI api() {
        return api;
    }

    public Optional<CliToken> token() {
        return token;
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    public HttpResponse<String> post(String path, Map<String, ?> body) {
        try {
            return send(request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body))).build());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A non-2xx answer in words: the problem's detail ({@code HTTP 403: ...}). */
    public static String describe(HttpResponse<String> response) {
        return ApiProblem.describe(response);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.resolve(path)).timeout(target.answerTimeout())
                .header("Accept", "application/json");
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t.token()));
        return b;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            Optional<CliException> untrusted = CliTls.untrusted("the services' API", api, trust, e);
            if (untrusted.isPresent()) {
                throw untrusted.get();
            }
            if (NoAnswer.isNoAnswer(e)) {
                throw NoAnswer.of(NoAnswer.API, api, target.answerTimeout(), e);
            }
            throw CliException.failure("the services' API at " + api + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted", e);
        }
    }

    private static boolean same(URI a, URI b) {
        return a.resolve("/").equals(b.resolve("/"));
    }
}
