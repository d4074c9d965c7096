package io.tideline.restore.view;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.serde.annotation.Serdeable;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.storage.StorageException;
import io.tideline.schemas.RestoreRequested;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The Backups view's JSON API. Reads come from the bucket (history, window) and from the event log
 * (restore status, failed backups); the only write is a {@code RestoreRequested} on
 * {@code tideline.restore-requests}: the restore service validates the target and answers on
 * {@code tideline.restore-events}, which {@code GET /api/restores/{restoreId}} follows.
 */
@Controller("/api")
@Requires(beans = BackupsViewReader.class)
public class BackupsApiController {

    private final BackupsViewReader history;
    private final ViewEvents events;
    private final EventPublisher publisher;
    private final Clock clock;

    public BackupsApiController(BackupsViewReader history, ViewEvents events, EventPublisher publisher, Clock clock) {
        this.history = history;
        this.events = events;
        this.publisher = publisher;
        this.clock = clock;
    }

    /**
     * The body of a restore request: {@code target} is any recovery target ({@code latest}, a UTC ISO-8601 time,
     * {@code lsn:0/3000028}, {@code xid:4711}, {@code name:<restore point>}, {@code immediate[:<backup id>]});
     * {@code exclusive} (default false) stops just before a time's, an LSN's or an xid's transaction; {@code name} optional.
     */
    @Serdeable
    public record RestoreRequest(@Nullable String target, @Nullable String name, @Nullable Boolean exclusive) {
        public RestoreRequest(@Nullable String target, @Nullable String name) {
            this(target, name, null);
        }
    }

    /** The answer to a restore request: its id and where to follow it. */
    @Serdeable
    public record RestoreTicket(String restoreId, String instanceId, String target, boolean exclusive, @Nullable String name,
                                String statusUrl) {
    }

    @Serdeable
    public record ApiError(String error) {
    }

    @Get(uri = "/instances", produces = MediaType.APPLICATION_JSON)
    public List<InstanceSummary> instances() {
        return history.instances();
    }

    @Get(uri = "/instances/{id}/backups", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> backups(@PathVariable String id) {
        Optional<InstanceId> instance = parse(id);
        if (instance.isEmpty()) {
            return notFound(id);
        }
        try {
            return history.of(instance.get()).<HttpResponse<?>>map(HttpResponse::ok).orElseGet(() -> notFound(id));
        } catch (StorageException e) {
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .body(new ApiError("the bucket of " + id + " cannot be read now: " + e.getMessage()));
        }
    }

    @Post(uri = "/instances/{id}/restores", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> restore(@PathVariable String id, @Body RestoreRequest body) {
        Optional<InstanceId> instance = parse(id);
        if (instance.isEmpty() || history.instance(instance.get()).isEmpty()) {
            return notFound(id);
        }
        if (body == null || body.target() == null || body.target().isBlank()) {
            return HttpResponse.badRequest(new ApiError("target is required: 'latest', a UTC time such as 2026-11-24T08:30:00Z, "
                    + "lsn:0/3000028, xid:4711, name:<restore point> or immediate"));
        }
        String name = body.name() == null || body.name().isBlank() ? null : body.name().strip();
        // The target is passed on as typed: the restore service validates it against the window and
        // answers with a RestoreRejected that says why, which the page shows.
        RestoreId restoreId = RestoreId.of(UUID.randomUUID().toString());
        RestoreRequested request = RestoreRequested.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(instance.get().value())
                .setOccurredAt(clock.instant())
                .setRestoreId(restoreId.value())
                .setTarget(body.target().strip())
                .setNewName(name)
                .setRequestedBy(ViewFactory.REQUESTED_BY)
                .setExclusive(Boolean.TRUE.equals(body.exclusive()))
                .build();
        publisher.publishAndWait(Topics.RESTORE_REQUESTS, instance.get().value(), request);
        events.requested(request);
        return HttpResponse.accepted().body(new RestoreTicket(restoreId.value(), instance.get().value(), request.getTarget(),
                request.getExclusive(), name, "/api/restores/" + restoreId.value()));
    }

    @Get(uri = "/restores/{restoreId}", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> restoreStatus(@PathVariable String restoreId) {
        return events.restore(restoreId).<HttpResponse<?>>map(HttpResponse::ok)
                .orElseGet(() -> HttpResponse.notFound(new ApiError("no restore " + restoreId + " is known")));
    }

    private static Optional<InstanceId> parse(String id) {
        try {
            return Optional.of(InstanceId.of(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static HttpResponse<?> notFound(String id) {
        return HttpResponse.notFound(new ApiError("no instance " + id + " is registered"));
    }
}
