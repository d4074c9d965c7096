package io.tideline.core.config;

import io.micronaut.core.convert.ConversionContext;
import io.micronaut.core.convert.ConversionService;
import io.micronaut.core.convert.format.ReadableBytesTypeConverter;
import java.time.Duration;

/**
 * Reads a setting's default, written as the text of its {@code @Bindable(defaultValue = ...)}, the way
 * Micronaut reads it when it binds the property; so a record's {@code defaults()} (for code and tests
 * without a Micronaut context) builds exactly what an empty configuration binds, from the same constants.
 */
public final class Defaults {

    private Defaults() {
    }

    /** {@code "60s"} as a {@code Duration}, {@code "3"} as an {@code int}, a path, a URI, ... */
    public static <T> T read(String text, Class<T> type) {
        return ConversionService.SHARED.convert(text, type)
                .orElseThrow(() -> new IllegalArgumentException("default '" + text + "' is not a " + type.getSimpleName()));
    }

    /** {@code "60s"}, {@code "500ms"}, {@code "7d"}: the most common kind of default. */
    public static Duration duration(String text) {
        return read(text, Duration.class);
    }

    /** A {@code @ReadableBytes} default: {@code "256MB"} (units of 1024). */
    public static long bytes(String text) {
        return new ReadableBytesTypeConverter().convert(text, Number.class, ConversionContext.DEFAULT)
                .orElseThrow(() -> new IllegalArgumentException("default '" + text + "' is not a number of bytes"))
                .longValue();
    }
}
