package io.tideline.core.http;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Objects;

/**
 * An error answer of every Tideline HTTP server, as RFC 9457 "Problem Details for HTTP APIs" shapes it
 * ({@code application/problem+json}): the services' own refusals and Micronaut's (unknown route, wrong
 * method or media type, unreadable body) alike, so a client reads one format.
 *
 * @param type   a URI naming the kind of problem: {@code about:blank} for a plain HTTP status (then the
 *               title is the status's phrase), else {@code urn:tideline:problem:<slug>}
 * @param title  a short summary of the kind, the same for every occurrence
 * @param status the HTTP status code, repeated for clients that only see the body
 * @param detail what went wrong this time, in a sentence a person understands
 * @param errors per-field reasons, for a request whose fields were refused; empty otherwise
 */
@Serdeable
@Schema(description = "RFC 9457 problem details (application/problem+json): every error answer of the service")
public record Problem(
        @Schema(description = "kind of problem: about:blank (then title is the HTTP status phrase) or urn:tideline:problem:<slug>",
                example = "urn:tideline:problem:invalid-request") String type,
        @Schema(description = "short summary of the kind", example = "The request is not valid") String title,
        @Schema(description = "the HTTP status code", example = "400") int status,
        @Schema(description = "what went wrong this time", requiredMode = Schema.RequiredMode.NOT_REQUIRED) @Nullable String detail,
        @Schema(description = "per-field reasons (absent when no field is to blame)", requiredMode = Schema.RequiredMode.NOT_REQUIRED)
        List<FieldError> errors) {

    /** The media type of a problem (RFC 9457 §3). */
    public static final String MEDIA_TYPE = "application/problem+json";
    /** The type of a problem that says no more than its HTTP status. */
    public static final String BLANK = "about:blank";
    private static final String TYPE_PREFIX = "urn:tideline:problem:";

    public Problem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(title, "title");
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /** The type URI of one of Tideline's own kinds of problem, e.g. {@code invalid-request}. */
    public static String type(String slug) {
        return TYPE_PREFIX + slug;
    }

    /** One refused field of a request: its name in the request body (or query) and why. */
    @Serdeable
    @Schema(description = "one refused field of the request")
    public record FieldError(@Schema(description = "the field's name in the request", example = "target") String field,
                             @Schema(description = "why it was refused") String message) {
    }
}
