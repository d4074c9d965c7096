package io.tideline.core.http;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Micronaut's own errors as {@link Problem}s: an unknown route (404), a wrong method (405) or media type
 * (415), a body that is not JSON or does not bind (400), bean validation — every answer Micronaut's
 * exception handlers build goes through the one {@link ErrorResponseProcessor}, and this bean takes the
 * place of Micronaut's default one (which {@code @Requires(missingBeans = ErrorResponseProcessor.class)}).
 * Errors that name a path (a body field, an argument) become {@code errors} entries.
 *
 * <p>A server error's detail never carries the exception's message (it may hold anything, e.g. a
 * connection string): the log has it.
 */
@Singleton
@Requires(classes = ErrorResponseProcessor.class)
public final class ProblemErrorResponseProcessor implements ErrorResponseProcessor<Problem> {

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        HttpStatus status = response.getStatus();
        String detail;
        List<Problem.FieldError> errors = List.of();
        if (status.getCode() >= 500) {
            detail = "the server could not answer this request; its log says why";
        } else {
            detail = context.getErrors().stream().map(Error::getMessage).distinct().collect(Collectors.joining("; "));
            errors = context.getErrors().stream().filter(e -> e.getPath().isPresent())
                    .map(e -> new Problem.FieldError(field(e.getPath().get()), e.getMessage())).toList();
        }
        Problem problem = new Problem(Problem.BLANK, status.getReason(), status.getCode(), detail.isBlank() ? status.getReason() : detail,
                errors);
        return response.contentType(Problem.MEDIA_TYPE).body(problem);
    }

    /** {@code /body/target}, {@code restore.body.target} → {@code target}: the name the client wrote. */
    static String field(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        int cut = Math.max(p.lastIndexOf('/'), p.lastIndexOf('.'));
        return cut < 0 ? p : p.substring(cut + 1);
    }
}
