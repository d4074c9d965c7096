package io.tideline.agent;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.tideline.core.ids.RestoreId;
import io.tideline.restore.host.AgentPaths;
import io.tideline.restore.host.HostRestoreRequest;

/**
 * The coordinator's interface to this agent ({@link AgentPaths}); every answer is small, every refusal a
 * sentence. Only decodes and delegates to {@link AgentRestores}.
 */
@Controller
@Requires(property = AgentConfiguration.ID)
@ExecuteOn(TaskExecutors.BLOCKING)
class AgentController {

    private final AgentRestores restores;

    AgentController(AgentRestores restores) {
        this.restores = restores;
    }

    @Post(uri = AgentPaths.RESTORES, consumes = MediaType.APPLICATION_JSON)
    HttpResponse<?> start(@Body HostRestoreRequest request) {
        try {
            return HttpResponse.created(restores.start(request));
        } catch (AgentRestores.NoCapacity e) {
            return text(HttpStatus.CONFLICT, e.getMessage());
        } catch (IllegalArgumentException | NullPointerException e) {
            return text(HttpStatus.BAD_REQUEST, "malformed restore request: " + e.getMessage());
        }
    }

    @Get(uri = AgentPaths.RESTORES + "/{restoreId}")
    HttpResponse<?> status(String restoreId) {
        return id(restoreId).flatMap(restores::status).<HttpResponse<?>>map(HttpResponse::ok)
                .orElseGet(() -> text(HttpStatus.NOT_FOUND, "no restore " + restoreId + " here"));
    }

    @Post(uri = AgentPaths.RESTORES + "/{restoreId}/handover")
    HttpResponse<?> handOver(String restoreId) {
        try {
            return HttpResponse.ok(restores.handOver(RestoreId.of(restoreId)));
        } catch (IllegalStateException | IllegalArgumentException e) {
            return text(HttpStatus.CONFLICT, e.getMessage());
        }
    }

    @Delete(uri = AgentPaths.RESTORES + "/{restoreId}")
    HttpResponse<?> remove(String restoreId) {
        return id(restoreId).<HttpResponse<?>>map(id -> text(HttpStatus.OK, restores.remove(id, "the coordinator")))
                .orElseGet(() -> text(HttpStatus.NOT_FOUND, "no restore " + restoreId + " here"));
    }

    private static java.util.Optional<RestoreId> id(String value) {
        try {
            return java.util.Optional.of(RestoreId.of(value));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    private static HttpResponse<String> text(HttpStatus status, String body) {
        return HttpResponse.<String>status(status).contentType(MediaType.TEXT_PLAIN_TYPE).body(body);
    }
}
