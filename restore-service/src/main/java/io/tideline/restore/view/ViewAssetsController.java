package io.tideline.restore.view;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.http.annotation.PathVariable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The view's stylesheet and script, served from the classpath ({@code backups-assets/}): no CDN, no build
 * step. Only the files named here are served.
 */
@Controller("/backups/assets")
@Requires(beans = BackupsViewReader.class)
@Secured(SecurityRule.IS_ANONYMOUS)
public class ViewAssetsController {

    private static final Map<String, String> FILES = Map.of(
            "backups.css", "text/css;charset=utf-8",
            "backups.js", "text/javascript;charset=utf-8");

    @Get("/{name}")
    public HttpResponse<byte[]> asset(@PathVariable String name) {
        String type = FILES.get(name);
        if (type == null) {
            return HttpResponse.notFound();
        }
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("backups-assets/" + name)) {
            if (in == null) {
                return HttpResponse.notFound();
            }
            return HttpResponse.ok(in.readAllBytes()).contentType(MediaType.of(type)).header("Cache-Control", "no-cache");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
