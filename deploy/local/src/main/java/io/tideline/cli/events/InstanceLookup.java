package io.tideline.cli.events;

import io.tideline.cli.CliException;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The registered instances, found by id or by name (what a person types). */
public final class InstanceLookup {

    private final InstanceRegistry registry;

    InstanceLookup(InstanceRegistry registry) {
        this.registry = registry;
    }

    public List<RegisteredInstance> all() {
        return registry.all().stream().sorted(Comparator.comparing(RegisteredInstance::registeredAt)
                .thenComparing(i -> i.id().value())).toList();
    }

    public Optional<RegisteredInstance> find(String idOrName) {
        Optional<RegisteredInstance> byName = registry.findByName(idOrName);
        if (byName.isPresent()) {
            return byName;
        }
        try {
            return registry.find(InstanceId.of(idOrName));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The instance, or a one-line "unknown instance" failure listing what exists. */
    public RegisteredInstance require(String idOrName) {
        return find(idOrName).orElseThrow(() -> {
            List<String> names = all().stream().map(RegisteredInstance::name).toList();
            return CliException.failure("unknown instance '" + idOrName + "'"
                    + (names.isEmpty() ? " (no instance is registered; create one with ./tideline instance create NAME)"
                    : " (registered: " + String.join(", ", names) + ")"));
        });
    }
}
