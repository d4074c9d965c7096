package io.tideline.core.http;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import java.util.List;

/** Answers carrying a {@link Problem}, for controllers: the status, the media type and the body agree. */
public final class Problems {

    private Problems() {
    }

    /** A problem of one of Tideline's own kinds. */
    public static MutableHttpResponse<Problem> of(HttpStatus status, String slug, String title, String detail,
                                                  List<Problem.FieldError> errors) {
        return respond(new Problem(Problem.type(slug), title, status.getCode(), detail, errors));
    }

    /** A problem of one of Tideline's own kinds about one field of the request. */
    public static MutableHttpResponse<Problem> field(HttpStatus status, String slug, String title, String field, String detail) {
        return of(status, slug, title, detail, List.of(new Problem.FieldError(field, detail)));
    }

    /** A plain HTTP status ({@code about:blank}, its phrase as the title) with what went wrong. */
    public static MutableHttpResponse<Problem> status(HttpStatus status, String detail) {
        return respond(new Problem(Problem.BLANK, status.getReason(), status.getCode(), detail, List.of()));
    }

    public static MutableHttpResponse<Problem> respond(Problem problem) {
        return HttpResponse.<Problem>status(HttpStatus.valueOf(problem.status())).contentType(Problem.MEDIA_TYPE).body(problem);
    }
}
