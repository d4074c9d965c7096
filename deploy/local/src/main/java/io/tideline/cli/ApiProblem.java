package io.tideline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tideline.cli.output.Json;
import java.net.http.HttpResponse;

/**
 * A non-2xx answer of a service's HTTP API, for a message: the services answer every error as
 * {@code application/problem+json} (RFC 9457), whose {@code detail} says what went wrong in words.
 */
final class ApiProblem {

    private ApiProblem() {
    }

    /** {@code HTTP 404: no instance x is registered}, or {@code HTTP 502} when the body is no problem. */
    static String describe(HttpResponse<String> response) {
        String status = "HTTP " + response.statusCode();
        boolean problem = response.headers().firstValue("content-type").map(t -> t.startsWith("application/problem+json")).orElse(false);
        if (!problem) {
            return status;
        }
        try {
            JsonNode body = Json.MAPPER.readTree(response.body());
            String detail = body.path("detail").asText("");
            return detail.isBlank() ? status + " " + body.path("title").asText("") : status + ": " + detail;
        } catch (java.io.IOException | RuntimeException e) {
            return status;
        }
    }
}
