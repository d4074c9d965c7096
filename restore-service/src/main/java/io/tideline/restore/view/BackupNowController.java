package io.tideline.restore.view;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
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
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.tideline.core.access.Role;
import io.tideline.core.events.BackupCommands;
import io.tideline.core.http.Problem;
import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.restore.access.Access;
import io.tideline.schemas.BackupCommand;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * "Back up now" of the Backups view: {@code POST /api/instances/{id}/backups} publishes an on-demand
 * {@code BackupCommand} on {@code tideline.backup-commands}, as {@code tideline backup} does; the archiver
 * takes it, and the backup shows in the history as it is uploaded. A restorer's right (docs/security.md): whoever
 * may restore an instance may ask for a fresh restore point before a risky change.
 */
@Controller("/api")
@Requires(beans = BackupsViewReader.class)
@Secured(SecurityRule.IS_AUTHENTICATED)
public class BackupNowController {

    private final BackupsViewReader history;
    private final EventPublisher publisher;
    private final Clock clock;
    private final Access access;

    public BackupNowController(BackupsViewReader history, @jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.RESTORE) EventPublisher publisher,
                               Clock clock, Access access) {
        this.history = history;
        this.access = access;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** The answer: the command's id (its backup carries it) and the reason it gives. */
    @Serdeable
    public record BackupTicket(String commandId, String instanceId, String reason) {
    }

    @Post(uri = "/instances/{id}/backups", produces = {MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @ExecuteOn(TaskExecutors.BLOCKING) // waits for Kafka
    @Operation(summary = "Back up the instance now (an on-demand backup command)")
    @ApiResponse(responseCode = "202", description = "the command is published; the backup shows in the history as it is uploaded",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BackupTicket.class)))
    @ApiResponse(responseCode = "404", description = "no such instance is registered",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public HttpResponse<?> backUpNow(@PathVariable String id, @Parameter(hidden = true) Authentication who) {
        access.require(who, id, Role.RESTORER, "back up");
        Optional<InstanceId> instance;
        try {
            instance = Optional.of(InstanceId.of(id)).filter(i -> history.instance(i).isPresent());
        } catch (IllegalArgumentException e) {
            instance = Optional.empty();
        }
        if (instance.isEmpty()) {
            return BackupsApiController.notFound(id);
        }
        CommandId command = CommandId.newOnDemand();
        BackupCommand event = BackupCommands.command(UUID.randomUUID(), instance.get(), command, BackupsApiController.requestedBy(who),
                clock.instant());
        publisher.publishAndWait(Topics.BACKUP_COMMANDS, instance.get().value(), event);
        return HttpResponse.accepted().body(new BackupTicket(command.value(), instance.get().value(), event.getReason().name()));
    }
}
