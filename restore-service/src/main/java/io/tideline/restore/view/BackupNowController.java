package io.tideline.restore.view;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.serde.annotation.Serdeable;
import io.tideline.core.events.BackupCommands;
import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.BackupCommand;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * "Back up now" of the Backups view: {@code POST /api/instances/{id}/backups} publishes an on-demand
 * {@code BackupCommand} on {@code tideline.backup-commands}, as {@code tideline backup} does; the archiver
 * takes it, and the backup shows in the history as it is uploaded.
 */
@Controller("/api")
@Requires(beans = BackupsViewReader.class)
public class BackupNowController {

    private final BackupsViewReader history;
    private final EventPublisher publisher;
    private final Clock clock;

    public BackupNowController(BackupsViewReader history, EventPublisher publisher, Clock clock) {
        this.history = history;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** The answer: the command's id (its backup carries it) and the reason it gives. */
    @Serdeable
    public record BackupTicket(String commandId, String instanceId, String reason) {
    }

    /** An RFC 9457 problem, as every non-2xx answer of the API. */
    @Serdeable
    public record Problem(String type, String title, int status, String detail) {
    }

    @Post(uri = "/instances/{id}/backups", produces = {MediaType.APPLICATION_JSON, "application/problem+json"})
    public HttpResponse<?> backUpNow(@PathVariable String id) {
        Optional<InstanceId> instance;
        try {
            instance = Optional.of(InstanceId.of(id)).filter(i -> history.instance(i).isPresent());
        } catch (IllegalArgumentException e) {
            instance = Optional.empty();
        }
        if (instance.isEmpty()) {
            return HttpResponse.status(HttpStatus.NOT_FOUND).contentType("application/problem+json")
                    .body(new Problem("about:blank", "Not Found", 404, "no instance " + id + " is registered"));
        }
        CommandId command = CommandId.newOnDemand();
        BackupCommand event = BackupCommands.command(UUID.randomUUID(), instance.get(), command, ViewFactory.REQUESTED_BY,
                clock.instant());
        publisher.publishAndWait(Topics.BACKUP_COMMANDS, instance.get().value(), event);
        return HttpResponse.accepted().body(new BackupTicket(command.value(), instance.get().value(), event.getReason().name()));
    }
}
