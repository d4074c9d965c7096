package io.tideline.core.config;

import io.micronaut.context.BeanContext;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.ConfigurationReader;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.env.Environment;
import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.convert.ConversionContext;
import io.micronaut.core.naming.NameUtils;
import io.micronaut.core.type.Argument;
import io.micronaut.inject.BeanDefinition;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Checks every Tideline settings record (a record annotated {@code @ConfigurationProperties}) when the
 * context starts, so a bad setting stops the start instead of surfacing when a bean first needs it:
 * <ol>
 *   <li>every property that is set must read as its component's type. Micronaut binds a value it cannot
 *       convert as if it were absent when the component has a default or is nullable, which would run
 *       the service with the default while the operator believes it runs with {@code 1 s}
 *       (micronaut-core#4762); the failure is {@code <property> must be a Duration, not '1 s'};</li>
 *   <li>every settings record is created, so its compact constructor's checks ({@link Require}) run now.</li>
 * </ol>
 * Records of services switched off are checked too: their settings are still the operator's.
 */
@Context
final class SettingsCheck {

    private static final String OURS = "io.tideline.";

    SettingsCheck(BeanContext context, Environment environment) {
        for (BeanDefinition<?> definition : context.getBeanDefinitions(Qualifiers.byStereotype(ConfigurationProperties.class))) {
            Class<?> type = definition.getBeanType();
            if (type.isRecord() && type.getName().startsWith(OURS)) {
                String prefix = definition.stringValue(ConfigurationReader.class, "prefix").orElseThrow();
                for (Argument<?> component : definition.getConstructor().getArguments()) {
                    requireReadable(environment, prefix + "." + NameUtils.hyphenate(component.getName()), component);
                }
                context.getBean(definition);
            }
        }
    }

    private static void requireReadable(Environment environment, String property, Argument<?> component) {
        Argument<?> target = valueOf(component);
        if (target.getType().isRecord() || !environment.containsProperty(property)) {
            return; // a nested record is a settings record of its own; an absent property takes the default
        }
        ArgumentConversionContext<?> conversion = ConversionContext.of(target);
        if (environment.getProperty(property, conversion).isEmpty()) {
            String reason = conversion.getLastError().map(e -> " (" + e.getCause().getMessage() + ")").orElse("");
            String typeName = target.getType().getSimpleName();
            String article = "AEIOUaeiou".indexOf(typeName.charAt(0)) >= 0 ? "an " : "a ";
            Require.that(false, property, article + typeName + reason,
                    environment.getProperty(property, String.class).orElse(""));
        }
    }

    /** What the text must convert to: the {@code X} of an {@code Optional<X>}. */
    private static Argument<?> valueOf(Argument<?> component) {
        Class<?> type = component.getType();
        if (type == Optional.class) {
            return component.getFirstTypeVariable().orElse(Argument.STRING);
        }
        if (type == OptionalLong.class) {
            return Argument.LONG;
        }
        if (type == OptionalInt.class) {
            return Argument.INT;
        }
        return component;
    }
}
