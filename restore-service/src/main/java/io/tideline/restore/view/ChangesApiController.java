package io.tideline.restore.view;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.tideline.core.access.Role;
import io.tideline.restore.access.Access;
import io.micronaut.http.annotation.PathVariable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.tideline.core.http.Problem;
import io.tideline.core.http.Problems;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.StorageException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** {@code GET /api/instances/{id}/changes[?since=TIME&minRows=N]}: the undo finder's list ({@link ChangesView}). */
@Controller("/api")
@Requires(beans = BackupsViewReader.class)
@Secured(SecurityRule.IS_AUTHENTICATED)
public class ChangesApiController {

    private final BackupsViewReader history;
    private final Access access;

    public ChangesApiController(BackupsViewReader history, Access access) {
        this.history = history;
        this.access = access;
    }

    @Get(uri = "/instances/{id}/changes", produces = MediaType.APPLICATION_JSON)
    @Operation(summary = "The undo finder: committed transactions that destroyed user data, oldest first")
    @Parameter(name = "since", in = ParameterIn.QUERY, description = "only transactions at or after this UTC time",
            schema = @Schema(type = "string", format = "date-time"))
    @Parameter(name = "minRows", in = ParameterIn.QUERY, description = "only drops and deletes/updates of at least this many rows",
            schema = @Schema(type = "integer", format = "int64"))
    @ApiResponse(responseCode = "200", description = "the transactions", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ChangesView.class)))
    @ApiResponse(responseCode = "400", description = "since or minRows malformed (errors name it)", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "404", description = "no such instance is registered", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "503", description = "the bucket cannot be read now", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    public HttpResponse<?> changes(@PathVariable String id, @Parameter(hidden = true) HttpRequest<?> request,
                                   @Parameter(hidden = true) Authentication who) {
        access.require(who, id, Role.VIEWER, "view the changes of");
        // the query is read by hand: each bad value gets its own message rather than a binding error
        String since = request.getParameters().get("since");
        String minRowsText = request.getParameters().get("minRows");
        Optional<Instant> from;
        try {
            from = since == null || since.isBlank() ? Optional.empty() : Optional.of(Instant.parse(since));
        } catch (DateTimeParseException e) {
            return Problems.field(HttpStatus.BAD_REQUEST, BackupsApiController.INVALID_REQUEST, BackupsApiController.INVALID_REQUEST_TITLE,
                    "since", "since: '" + since + "' is not a UTC time such as 2026-11-24T08:30:00Z");
        }
        long minRows;
        try {
            minRows = minRowsText == null || minRowsText.isBlank() ? 0 : Long.parseLong(minRowsText);
        } catch (NumberFormatException e) {
            minRows = -1;
        }
        if (minRows < 0) {
            return Problems.field(HttpStatus.BAD_REQUEST, BackupsApiController.INVALID_REQUEST, BackupsApiController.INVALID_REQUEST_TITLE,
                    "minRows", "minRows: '" + minRowsText + "' is not a number of rows (0 or more)");
        }
        long rows = minRows;
        Optional<InstanceId> instance;
        try {
            instance = Optional.of(InstanceId.of(id));
        } catch (IllegalArgumentException e) {
            instance = Optional.empty();
        }
        try {
            Optional<ChangesView> view = instance.flatMap(i -> history.changes(i, from, rows));
            return view.<HttpResponse<?>>map(HttpResponse::ok)
                    .orElseGet(() -> BackupsApiController.notFound(id));
        } catch (StorageException e) {
            return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, BackupsApiController.BUCKET_UNREADABLE,
                    BackupsApiController.BUCKET_UNREADABLE_TITLE, "the bucket of " + id + " cannot be read now: " + e.getMessage(),
                    java.util.List.of());
        }
    }
}
