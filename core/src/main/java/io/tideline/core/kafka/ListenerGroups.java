package io.tideline.core.kafka;

import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.context.BeanContext;
import io.micronaut.context.env.Environment;
import io.micronaut.inject.BeanDefinition;
import io.micronaut.inject.qualifiers.Qualifiers;
import jakarta.inject.Singleton;
import java.util.Set;
import java.util.TreeSet;

/**
 * The consumer groups of this service's own {@code @KafkaListener}s, read from their annotations (so
 * no list to keep in step). Listeners with {@code uniqueGroupId} are left out: their group is made up
 * per start, replays a topic and commits nothing worth watching; so are listeners without a group id.
 */
@Singleton
public class ListenerGroups {

    private final BeanContext context;
    private final Environment environment;

    public ListenerGroups(BeanContext context, Environment environment) {
        this.context = context;
        this.environment = environment;
    }

    public Set<String> groups() {
        Set<String> groups = new TreeSet<>();
        for (BeanDefinition<?> listener : context.getBeanDefinitions(Qualifiers.byStereotype(KafkaListener.class))) {
            if (listener.booleanValue(KafkaListener.class, "uniqueGroupId").orElse(false)) {
                continue;
            }
            listener.stringValue(KafkaListener.class, "groupId").filter(g -> !g.isBlank())
                    .map(g -> environment.getPlaceholderResolver().resolveRequiredPlaceholders(g))
                    .ifPresent(groups::add);
        }
        return groups;
    }
}
