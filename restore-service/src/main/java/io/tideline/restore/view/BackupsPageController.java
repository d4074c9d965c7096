package io.tideline.restore.view;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Produces;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.StorageException;
import java.util.Optional;

/** The Backups view's HTML pages: {@code /backups} (instances) and {@code /backups/{id}} (history, window, restore form). */
@Controller("/backups")
@Requires(beans = BackupsViewReader.class)
public class BackupsPageController {

    private final BackupsViewReader history;

    public BackupsPageController(BackupsViewReader history) {
        this.history = history;
    }

    @Get
    @Produces(MediaType.TEXT_HTML)
    public String instances() {
        return BackupsPages.instances(history.instances());
    }

    @Get("/{id}")
    @Produces(MediaType.TEXT_HTML)
    public HttpResponse<String> instance(@PathVariable String id) {
        Optional<InstanceId> instance;
        try {
            instance = Optional.of(InstanceId.of(id));
        } catch (IllegalArgumentException e) {
            instance = Optional.empty();
        }
        Optional<RegisteredInstance> registered = instance.flatMap(history::instance);
        if (registered.isEmpty()) {
            return HttpResponse.<String>status(HttpStatus.NOT_FOUND).body(BackupsPages.notFound(id));
        }
        InstanceId known = instance.get();
        try {
            return history.of(known)
                    .map(v -> HttpResponse.ok(BackupsPages.instance(v, changes(known))))
                    .orElseGet(() -> HttpResponse.<String>status(HttpStatus.NOT_FOUND).body(BackupsPages.notFound(id)));
        } catch (StorageException e) {
            return HttpResponse.<String>status(HttpStatus.SERVICE_UNAVAILABLE)
                    .body(BackupsPages.unavailable(registered.get(), e.getMessage()));
        }
    }

    /** The undo finder's list; null (the page says so) when it cannot be read, which must not cost the rest of the page. */
    private ChangesView changes(InstanceId id) {
        try {
            return history.changes(id, Optional.empty(), 0).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
