package io.tideline.restore.view;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Produces;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.views.ModelAndView;
import io.tideline.core.access.Role;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.StorageException;
import io.tideline.restore.access.Access;
import io.tideline.restore.access.SessionAuthentication;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The Backups view's pages, rendered on the server from Thymeleaf templates ({@code views/backups/}; the engine
 * escapes every value): {@code /backups} (instances) and {@code /backups/{id}} (window, restore form, history).
 * The data is read here, as the JSON API reads it; the page's script only submits and follows. A signed-in person
 * sees the instances they may view; the restore form and "Back up now" only where they are a restorer. Every page
 * carries the session's CSRF token ({@code me.csrf}) for its forms and script.
 */
@Controller("/backups")
@Requires(beans = BackupsViewReader.class)
@Secured(SecurityRule.IS_AUTHENTICATED)
public class BackupsPageController {

    private final BackupsViewReader history;
    private final InstanceRegistry registry;
    private final Clock clock;
    private final Access access;

    public BackupsPageController(BackupsViewReader history, InstanceRegistry registry, Clock clock, Access access) {
        this.history = history;
        this.registry = registry;
        this.clock = clock;
        this.access = access;
    }

    /** Who the page is for: the name shown, the CSRF token of the session, whether it may restore the instance. */
    public record Me(String name, String csrf, boolean canRestore) {
    }

    static Me me(Authentication who, boolean canRestore) {
        Object csrf = who.getAttributes().get(SessionAuthentication.CSRF);
        return new Me(who.getName(), csrf == null ? "" : csrf.toString(), canRestore);
    }

    private static Map<String, Object> model(Me me, String key, Object value) {
        Map<String, Object> model = new HashMap<>();
        model.put("me", me);
        model.put(key, value);
        return model;
    }

    @Get
    @Produces(MediaType.TEXT_HTML)
    public ModelAndView<Map<String, Object>> instances(Authentication who) {
        Instant now = clock.instant();
        List<InstancesPage.Row> rows = registry.all().stream()
                .filter(i -> access.allows(who, i.id().value(), Role.VIEWER))
                .sorted(Comparator.comparing(RegisteredInstance::name).thenComparing(i -> i.id().value()))
                .map(i -> InstancesPage.row(i, viewOrNull(i.id()), now))
                .toList();
        return new ModelAndView<>("backups/instances", model(me(who, false), "page", new InstancesPage(rows, ViewTimes.iso(now))));
    }

    @Get("/{id}")
    @Produces(MediaType.TEXT_HTML)
    public HttpResponse<ModelAndView<Map<String, Object>>> instance(@PathVariable String id, Authentication who) {
        access.require(who, id, Role.VIEWER, "view the backups of");
        Me me = me(who, access.allows(who, id, Role.RESTORER));
        Optional<InstanceId> instance = parse(id);
        Optional<RegisteredInstance> registered = instance.flatMap(history::instance);
        if (registered.isEmpty()) {
            return notFound(id);
        }
        InstanceId known = instance.get();
        Optional<BackupsView> view;
        try {
            view = history.of(known);
        } catch (StorageException e) {
            return HttpResponse.<ModelAndView<Map<String, Object>>>status(HttpStatus.SERVICE_UNAVAILABLE)
                    .body(new ModelAndView<>("backups/unavailable", Map.of("me", me, "name", registered.get().name(), "why", e.getMessage())));
        }
        if (view.isEmpty()) {
            return notFound(id);
        }
        InstancePage page = InstancePage.of(view.get(), registered.get(), changes(known), clock.instant(),
                RestoreId.of(UUID.randomUUID().toString()), history.replayRate(known));
        return HttpResponse.ok(new ModelAndView<>("backups/instance", model(me, "page", page)));
    }

    private static HttpResponse<ModelAndView<Map<String, Object>>> notFound(String id) {
        return HttpResponse.<ModelAndView<Map<String, Object>>>status(HttpStatus.NOT_FOUND)
                .body(new ModelAndView<>("backups/not-found", Map.of("id", id)));
    }

    /** An instance's view for the list; null when its bucket cannot be read now (the list says so on its line). */
    private BackupsView viewOrNull(InstanceId id) {
        try {
            return history.of(id).orElse(null);
        } catch (StorageException e) {
            return null;
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

    private static Optional<InstanceId> parse(String id) {
        try {
            return Optional.of(InstanceId.of(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
