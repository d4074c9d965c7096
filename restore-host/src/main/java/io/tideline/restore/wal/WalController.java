package io.tideline.restore.wal;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.scheduling.TaskExecutors;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.WalSpool;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /restores/<restoreId>/wal/<file>}: what a recovering server's {@code restore_command}
 * fetches. 200 with the file, 404 when the archive has no such file (the server's end of archive), 500
 * when the restore has failed (the body says why; the restore's monitor fails it), 403 without the
 * restore's {@link WalToken} in the {@value WalToken#HEADER} header: the restore id is not a secret (it is in
 * every event), the token is.
 */
@Controller(WalController.PATH)
// wherever restores are recovered here: the restore service's local platform, or the restore agent
@Requires(beans = WalServer.class)
public class WalController {

    public static final String PATH = "/restores";
    private static final Logger LOG = LoggerFactory.getLogger(WalController.class);
    /** Characters that mean something inside a double-quoted shell word, or to restore_command ({@code %}). */
    private static final Pattern SHELL_SAFE = Pattern.compile("[^\"$`\\\\%\\n\\r]+");

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
     * (not spooled, or taken back) does the command ask the endpoint at {@code baseUrl}. curl reads the token's
     * header from {@code tokenFile} ({@code -H @file}), so the command (in {@code ps} and the server's
     * configuration) names the file, never the token.
     */
    public static String restoreCommand(String curl, String baseUrl, RestoreId restoreId, Optional<WalSpool> spool,
                                        Path tokenFile) {
        String file = tokenFile.toAbsolutePath().toString();
        if (!SHELL_SAFE.matcher(file).matches()) {
            throw new IllegalArgumentException("a WAL token file's path must not contain \" $ ` \\ % or line breaks: " + file);
        }
        String fetch = curl + " -sf -H @\"" + file + "\" -o \"%p\" " + walUrl(baseUrl, restoreId);
        return spool.map(s -> s.restoreCommandFragment() + " || " + fetch).orElse(fetch);
    }

    @Get(uri = "/{restoreId}/wal/{fileName}", produces = MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "A WAL file of a running restore, for its recovering server's restore_command")
    @ApiResponse(responseCode = "200", description = "the file's bytes (a partial segment padded to a full one)",
            content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "404", description = "the archive has no such file: the server's end of archive (empty body)")
    @ApiResponse(responseCode = "403", description = "no or a wrong WAL token of the restore (or no such restore here)",
            content = @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(type = "string")))
    @ApiResponse(responseCode = "500", description = "the restore has failed; the text says why",
            content = @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(type = "string")))
    @ExecuteOn(TaskExecutors.BLOCKING)
    HttpResponse<?> wal(String restoreId, String fileName, @Nullable @Header(WalToken.HEADER) String token) {
        RestoreId id;
        try {
            id = RestoreId.of(restoreId);
        } catch (IllegalArgumentException e) {
            return HttpResponse.notFound();
        }
        WalAnswer answer = server.fetch(id, fileName, token);
        if (answer instanceof WalAnswer.Refused) {
            // (the token, right or wrong, is never logged)
            LOG.warn("restore {}: refused a WAL request for {} without the restore's token", id, printable(fileName));
            return HttpResponse.status(HttpStatus.FORBIDDEN).contentType(MediaType.TEXT_PLAIN_TYPE)
                    .body("no WAL of restore " + id + " without its token (header " + WalToken.HEADER + ")");
        }
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

    /** A file name as asked for, safe to log (whoever asks without the token chose it). */
    private static String printable(String fileName) {
        String cut = fileName.length() > 64 ? fileName.substring(0, 64) + "..." : fileName;
        return cut.replaceAll("[^A-Za-z0-9._-]", "?");
    }
}
