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
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.tideline.core.access.Role;
import io.tideline.core.http.Problem;
import io.tideline.core.http.Problems;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.storage.StorageException;
import io.tideline.restore.RestoreValidator;
import io.tideline.restore.access.Access;
import io.tideline.schemas.RestoreCancelRequested;
import io.tideline.schemas.RestoreRequested;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The Backups view's JSON API. Reads come from the bucket (history, window) and from the event log
 * (restore status, failed backups); the only write is a {@code RestoreRequested} on
 * {@code tideline.restore-requests}, published only once the request passed the restore service's own
 * validator ({@link RequestCheck}; else 400/422 {@code application/problem+json}); the service answers on
 * {@code tideline.restore-events}, which {@code GET /api/restores/{restoreId}} follows. Every error is a
 * {@link io.tideline.core.http.Problem}.
 *
 * <p>Every route needs a signed-in person (issue 14.2) and a grant on the instance: viewer to read, restorer to
 * start, follow or cancel a restore ({@link Access}). Who asked for a restore is the signed-in person, written here
 * by the server into {@code RestoreRequested.requestedBy}; the body has no say in it.
 */
@Controller("/api")
@Requires(beans = BackupsViewReader.class)
@Secured(SecurityRule.IS_AUTHENTICATED)
public class BackupsApiController {

    static final String INVALID_REQUEST = "invalid-request";
    static final String INVALID_REQUEST_TITLE = "The request is not valid";
    static final String UNKNOWN_INSTANCE = "unknown-instance";
    static final String BUCKET_UNREADABLE = "bucket-unreadable";
    static final String BUCKET_UNREADABLE_TITLE = "The instance's bucket cannot be read now";

    private final BackupsViewReader history;
    private final ViewEvents events;
    private final EventPublisher publisher;
    private final Clock clock;
    private final RequestCheck check;
    private final Access access;

    public BackupsApiController(BackupsViewReader history, ViewEvents events, @jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.RESTORE) EventPublisher publisher, Clock clock,
                                RequestCheck check, Access access) {
        this.history = history;
        this.access = access;
        this.check = check;
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
    @Schema(description = "A restore of the instance into a NEW instance")
    public record RestoreRequest(
            @Schema(description = "the recovery target: latest, a UTC ISO-8601 time, lsn:X/Y, xid:N, name:<restore point>, "
                    + "immediate or immediate:<backup id>", example = "2026-11-24T08:30:00Z",
                    requiredMode = Schema.RequiredMode.REQUIRED) @Nullable String target,
            @Schema(description = "the new instance's name (3-40 lower-case letters, digits and single dashes); default "
                    + "<source>-r-<first 8 of the restore id>", example = "orders-before-migration") @Nullable String name,
            @Schema(description = "stop just before the target's transaction (a time, an LSN or an xid only); default false")
            @Nullable Boolean exclusive) {
        public RestoreRequest(@Nullable String target, @Nullable String name) {
            this(target, name, null);
        }
    }

    /** The answer to a restore request: its id and where to follow it. */
    @Serdeable
    @Schema(description = "A restore requested: follow it at statusUrl")
    public record RestoreTicket(String restoreId, String instanceId, String target, boolean exclusive, @Nullable String name,
                                String statusUrl) {
    }

    @Get(uri = "/instances", produces = MediaType.APPLICATION_JSON)
    @Operation(summary = "The registered instances: how to reach them and where their backups live (no secrets)")
    @ApiResponse(responseCode = "200", description = "the instances, by name", content = @Content(mediaType = "application/json", array = @ArraySchema(schema = @Schema(implementation = InstanceSummary.class))))
    public List<InstanceSummary> instances(@Parameter(hidden = true) Authentication who) {
        // only the instances the person may view: the others' names are not theirs to know
        return history.instances().stream().filter(i -> access.allows(who, i.id(), Role.VIEWER)).toList();
    }

    @Get(uri = "/instances/{id}/backups", produces = MediaType.APPLICATION_JSON)
    @Operation(summary = "An instance's backups, restorable window, newest stored WAL, failed backups and restores")
    @ApiResponse(responseCode = "200", description = "what the bucket holds and what it restores", content = @Content(mediaType = "application/json", schema = @Schema(implementation = BackupsView.class)))
    @ApiResponse(responseCode = "404", description = "no such instance is registered", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "503", description = "the bucket cannot be read now", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    public HttpResponse<?> backups(@PathVariable String id, @Parameter(hidden = true) Authentication who) {
        Optional<InstanceId> instance = parse(id);
        if (instance.isEmpty()) {
            return notFound(id);
        }
        access.require(who, id, Role.VIEWER, "view the backups of");
        try {
            return history.of(instance.get()).<HttpResponse<?>>map(HttpResponse::ok).orElseGet(() -> notFound(id));
        } catch (StorageException e) {
            return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, BUCKET_UNREADABLE, BUCKET_UNREADABLE_TITLE,
                    "the bucket of " + id + " cannot be read now: " + e.getMessage(), List.of());
        }
    }

    @Post(uri = "/instances/{id}/restores", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    @Operation(summary = "Restore the instance to a point in time into a NEW instance",
            description = "Checked at once with the restore service's rules; published as RestoreRequested only when it "
                    + "passes. Follow it at statusUrl.")
    @ApiResponse(responseCode = "202", description = "requested: follow it at statusUrl", content = @Content(mediaType = "application/json", schema = @Schema(implementation = RestoreTicket.class)))
    @ApiResponse(responseCode = "400", description = "malformed: not JSON, a target or name that does not parse, an option that does not fit the target (errors name the field)", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "404", description = "no such instance is registered", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "415", description = "the body is not application/json", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "422", description = "well-formed but not possible now: outside the restorable window, the name is taken, an unknown transaction or restore point (errors name the field)", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "503", description = "the bucket cannot be read now: nothing was requested", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    @ExecuteOn(TaskExecutors.BLOCKING) // reads the bucket (and for an xid the stored WAL), then waits for Kafka
    public HttpResponse<?> restore(@PathVariable String id, @Body RestoreRequest body, @Parameter(hidden = true) Authentication who) {
        Optional<InstanceId> instance = parse(id);
        access.require(who, id, Role.RESTORER, "start a restore of");
        if (instance.isEmpty() || history.instance(instance.get()).isEmpty()) {
            return notFound(id);
        }
        if (body.target() == null || body.target().isBlank()) {
            return Problems.field(HttpStatus.BAD_REQUEST, INVALID_REQUEST, INVALID_REQUEST_TITLE, RestoreValidator.FIELD_TARGET,
                    "target is required: 'latest', a UTC time such as 2026-11-24T08:30:00Z, lsn:0/3000028, xid:4711, "
                            + "name:<restore point> or immediate");
        }
        String name = body.name() == null || body.name().isBlank() ? null : body.name().strip();
        RestoreId restoreId = RestoreId.of(UUID.randomUUID().toString());
        RestoreRequested request = RestoreRequested.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(instance.get().value())
                .setOccurredAt(clock.instant())
                .setRestoreId(restoreId.value())
                .setTarget(body.target().strip())
                .setNewName(name)
                .setRequestedBy(requestedBy(who))
                .setExclusive(Boolean.TRUE.equals(body.exclusive()))
                .build();
        // Checked here with the restore service's own rules, so a request that would be rejected is refused at
        // once and never published; the service checks again when it takes the request (the bucket may change).
        io.tideline.restore.RestoreRequest asked = io.tideline.restore.RestoreRequest.from(request.getInstanceId(), request);
        List<RestoreValidator.Decision.Reject> malformed = check.malformed(asked);
        if (!malformed.isEmpty()) { // every field at once: the person fixes them in one go
            return Problems.of(HttpStatus.BAD_REQUEST, INVALID_REQUEST, INVALID_REQUEST_TITLE,
                    malformed.stream().map(RestoreValidator.Decision.Reject::reason).collect(Collectors.joining("; ")),
                    malformed.stream().map(r -> new Problem.FieldError(r.field(), r.reason())).toList());
        }
        RestoreValidator.Decision decision = check.check(asked);
        if (decision instanceof RestoreValidator.Decision.Reject reject) {
            return refused(reject);
        }
        publisher.publishAndWait(Topics.RESTORE_REQUESTS, instance.get().value(), request);
        events.requested(request);
        return HttpResponse.accepted().body(new RestoreTicket(restoreId.value(), instance.get().value(), request.getTarget(),
                request.getExclusive(), name, "/api/restores/" + restoreId.value()));
    }

    /** A refusal as a problem: the request itself wrong → 400, not satisfiable now → 422. */
    static HttpResponse<?> refused(RestoreValidator.Decision.Reject reject) {
        return switch (reject.kind()) {
            case UNKNOWN_SOURCE -> Problems.field(HttpStatus.NOT_FOUND, UNKNOWN_INSTANCE, "Unknown instance", reject.field(),
                    reject.reason());
            case MALFORMED -> Problems.field(HttpStatus.BAD_REQUEST, INVALID_REQUEST, INVALID_REQUEST_TITLE, reject.field(),
                    reject.reason());
            case UNSATISFIABLE -> Problems.field(HttpStatus.UNPROCESSABLE_ENTITY, "restore-refused",
                    "The restore cannot be carried out", reject.field(), reject.reason());
            case UNAVAILABLE -> Problems.of(HttpStatus.SERVICE_UNAVAILABLE, BUCKET_UNREADABLE, BUCKET_UNREADABLE_TITLE,
                    reject.reason(), List.of());
        };
    }

    @Get(uri = "/restores/{restoreId}", produces = MediaType.APPLICATION_JSON)
    @Operation(summary = "Where a restore stands, from its events")
    @ApiResponse(responseCode = "200", description = "the restore", content = @Content(mediaType = "application/json", schema = @Schema(implementation = RestoreStatus.class)))
    @ApiResponse(responseCode = "404", description = "no such restore is known", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "403", description = "the person is no restorer of the restore's source instance", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    public HttpResponse<?> restoreStatus(@PathVariable String restoreId, @Parameter(hidden = true) Authentication who) {
        Optional<RestoreStatus> status = events.restore(restoreId);
        if (status.isEmpty()) {
            return unknownRestore(restoreId);
        }
        access.require(who, status.get().instanceId(), Role.RESTORER, "follow the restores of");
        return HttpResponse.ok(status.get());
    }

    @Post(uri = "/restores/{restoreId}/cancel", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING) // waits for Kafka
    @Operation(summary = "Cancel a restore under way: the restore service stops it and removes what it made",
            description = "Published as RestoreCancelRequested with the signed-in person as requestedBy; follow the end at "
                    + "statusUrl (FAILED with the cancel as reason, or COMPLETED when it finished first).")
    @ApiResponse(responseCode = "202", description = "the cancel is published", content = @Content(mediaType = "application/json", schema = @Schema(implementation = RestoreTicket.class)))
    @ApiResponse(responseCode = "403", description = "the person is no restorer of the restore's source instance", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "404", description = "no such restore is known", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "409", description = "the restore has already ended", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = Problem.class)))
    public HttpResponse<?> cancel(@PathVariable String restoreId, @Parameter(hidden = true) Authentication who) {
        Optional<RestoreStatus> status = events.restore(restoreId);
        if (status.isEmpty()) {
            return unknownRestore(restoreId);
        }
        RestoreStatus s = status.get();
        access.require(who, s.instanceId(), Role.RESTORER, "cancel the restores of");
        if (RestoreStatus.COMPLETED.equals(s.state()) || RestoreStatus.REJECTED.equals(s.state())
                || RestoreStatus.FAILED.equals(s.state())) {
            return Problems.of(HttpStatus.CONFLICT, "restore-ended", "The restore has ended",
                    "restore " + restoreId + " already " + s.state().toLowerCase(java.util.Locale.ROOT) + ": nothing to cancel", List.of());
        }
        publisher.publishAndWait(Topics.RESTORE_REQUESTS, s.instanceId(), RestoreCancelRequested.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(s.instanceId())
                .setOccurredAt(clock.instant())
                .setRestoreId(restoreId)
                .setRequestedBy(requestedBy(who))
                .build());
        return HttpResponse.accepted().body(new RestoreTicket(restoreId, s.instanceId(), s.target() == null ? "" : s.target(),
                false, s.newName(), "/api/restores/" + restoreId));
    }

    /** Who asked, as events and the audit name them: the signed-in person, never a value the client chose. */
    static String requestedBy(Authentication who) {
        return "user:" + who.getName();
    }

    private static HttpResponse<?> unknownRestore(String restoreId) {
        return Problems.of(HttpStatus.NOT_FOUND, "unknown-restore", "Unknown restore", "no restore " + restoreId + " is known",
                List.of());
    }

    private static Optional<InstanceId> parse(String id) {
        try {
            return Optional.of(InstanceId.of(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static HttpResponse<?> notFound(String id) {
        return Problems.of(HttpStatus.NOT_FOUND, UNKNOWN_INSTANCE, "Unknown instance", "no instance " + id + " is registered",
                List.of());
    }
}
