package io.tideline.restore.wal;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.WalSpool;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /restores/<restoreId>/wal/<file>}: what a recovering server's {@code restore_command}
 * fetches. 200 with the file, 404 when the archive has no such file (the server's end of archive), 500
 * when the restore has failed (the body says why; the restore's monitor fails it).
 */
@Controller(WalController.PATH)
// wherever restores are recovered here: the restore service's local platform, or the restore agent
@Requires(beans = WalServer.class)
public class WalController {

    public static final String PATH = "/restores";
    private static final Logger LOG = LoggerFactory.getLogger(WalController.class);

    private final WalServer server;

    public WalController(WalServer server) {
        this.server = server;
    }

    /** The URL of a file of one restore, with {@code %f} where the file name goes. */
    public static String walUrl(String baseUrl, RestoreId restoreId) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return base + PATH + "/" + restoreId.value() + "/wal/%f";
    }

    /**
     * A recovering server's {@code restore_command}: curl writes the file to {@code %p} on 200 and exits non-zero
     * on 404 (end of archive) or 500 (failed restore) without leaving a file the server would use. With a spool, a
     * segment already waiting there is taken into place first by the spool's own command; only when that fails
     * (not spooled, or taken back) does the command ask the endpoint at {@code baseUrl}.
     */
    public static String restoreCommand(String curl, String baseUrl, RestoreId restoreId, Optional<WalSpool> spool) {
        String fetch = curl + " -sf -o \"%p\" " + walUrl(baseUrl, restoreId);
        return spool.map(s -> s.restoreCommandFragment() + " || " + fetch).orElse(fetch);
    }

    @Get(uri = "/{restoreId}/wal/{fileName}", produces = MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "A WAL file of a running restore, for its recovering server's restore_command")
    @ApiResponse(responseCode = "200", description = "the file's bytes (a partial segment padded to a full one)",
            content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "404", description = "the archive has no such file: the server's end of archive (empty body)")
    @ApiResponse(responseCode = "500", description = "the restore has failed; the text says why",
            content = @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(type = "string")))
    @ExecuteOn(TaskExecutors.BLOCKING)
    HttpResponse<?> wal(String restoreId, String fileName) {
        RestoreId id;
        try {
            id = RestoreId.of(restoreId);
        } catch (IllegalArgumentException e) {
            return HttpResponse.notFound();
        }
        WalAnswer answer = server.fetch(id, fileName);
        if (answer instanceof WalAnswer.Found found) {
            LOG.debug("restore {}: served {} from {}", id, fileName, found.fromKey());
            return HttpResponse.ok(found.bytes()).contentType(MediaType.APPLICATION_OCTET_STREAM_TYPE);
        }
        if (answer instanceof WalAnswer.Failed failed) {
            return HttpResponse.status(HttpStatus.INTERNAL_SERVER_ERROR).contentType(MediaType.TEXT_PLAIN_TYPE)
                    .body(failed.reason());
        }
        LOG.debug("restore {}: no {} in the archive", id, fileName);
        return HttpResponse.notFound();
    }
}
