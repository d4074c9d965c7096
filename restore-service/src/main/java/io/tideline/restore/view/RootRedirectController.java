package io.tideline.restore.view;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import java.net.URI;

/** {@code /} of the restore service: the Backups view, where a person opening the service's address wants to be. */
@Controller
@Requires(beans = BackupsViewReader.class)
@Secured(SecurityRule.IS_ANONYMOUS)
public class RootRedirectController {

    @Get
    public HttpResponse<?> root() {
        return HttpResponse.seeOther(URI.create("/backups"));
    }
}
