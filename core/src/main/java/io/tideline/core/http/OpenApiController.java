package io.tideline.core.http;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.io.ResourceResolver;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.swagger.v3.oas.annotations.Hidden;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;

/**
 * {@code GET /openapi/<service>.json}: the OpenAPI document micronaut-openapi generated from a service's
 * controllers at build time ({@code META-INF/swagger/<service>.json} on its classpath), so a client reads
 * the contract from the service it talks to. Hidden from the document itself.
 */
@Controller(OpenApiController.PATH)
@Requires(classes = ErrorResponseProcessor.class)
public class OpenApiController {

    public static final String PATH = "/openapi";
    private static final Pattern FILE = Pattern.compile("[a-z0-9-]+\\.json");

    private final ResourceResolver resources;

    public OpenApiController(ResourceResolver resources) {
        this.resources = resources;
    }

    @Hidden
    @Get(uri = "/{file}", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> document(@PathVariable String file) {
        if (!FILE.matcher(file).matches()) {
            return Problems.status(HttpStatus.NOT_FOUND, "no OpenAPI document " + file + ": ask for <service>.json");
        }
        return resources.getResourceAsStream("classpath:META-INF/swagger/" + file)
                .<HttpResponse<?>>map(in -> HttpResponse.ok(read(in)).contentType(MediaType.APPLICATION_JSON_TYPE))
                .orElseGet(() -> Problems.status(HttpStatus.NOT_FOUND, "this service has no OpenAPI document " + file));
    }

    private static byte[] read(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
