package io.tideline.restore.view;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.StorageException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/** {@code GET /api/instances/{id}/changes[?since=TIME&minRows=N]}: the undo finder's list ({@link ChangesView}). */
@Controller("/api")
@Requires(beans = BackupsViewReader.class)
public class ChangesApiController {

    private final BackupsViewReader history;

    public ChangesApiController(BackupsViewReader history) {
        this.history = history;
    }

    @Get(uri = "/instances/{id}/changes", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> changes(@PathVariable String id, HttpRequest<?> request) {
        // the query is read by hand: each bad value gets its own message rather than a binding error
        String since = request.getParameters().get("since");
        String minRowsText = request.getParameters().get("minRows");
        Optional<Instant> from;
        try {
            from = since == null || since.isBlank() ? Optional.empty() : Optional.of(Instant.parse(since));
        } catch (DateTimeParseException e) {
            return HttpResponse.badRequest(Map.of("error", "since: '" + since + "' is not a UTC time such as 2026-11-24T08:30:00Z"));
        }
        long minRows;
        try {
            minRows = minRowsText == null || minRowsText.isBlank() ? 0 : Long.parseLong(minRowsText);
        } catch (NumberFormatException e) {
            minRows = -1;
        }
        if (minRows < 0) {
            return HttpResponse.badRequest(Map.of("error", "minRows: '" + minRowsText + "' is not a number of rows (0 or more)"));
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
                    .orElseGet(() -> HttpResponse.notFound(Map.of("error", "no instance " + id)));
        } catch (StorageException e) {
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("error", "the bucket cannot be read: " + e.getMessage()));
        }
    }
}
