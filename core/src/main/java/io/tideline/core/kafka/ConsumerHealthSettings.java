package io.tideline.core.kafka;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Require;
import java.time.Duration;

/**
 * When the {@code kafka-consumers} health calls a consumer group stalled: {@code tideline.kafka.consumers.*}.
 *
 * @param stallAfter   how long a partition may have records (lag &gt; 0) while the group's committed offset
 *                     there does not move, or a group may have no live member, before health turns DOWN;
 *                     default {@value #DEFAULT_STALL_AFTER}: longer than the listeners' own retry of one
 *                     record (31 s, {@link Listeners#RETRY_COUNT}), a rebalance and a slow backup command
 *                     together, so a busy but working consumer is never called stalled
 * @param checkEvery   how often the committed and end offsets are read; the health endpoint only reads
 *                     the last result; default {@value #DEFAULT_CHECK_EVERY}
 * @param adminTimeout longest time one admin call (describe groups, committed offsets, end offsets) may
 *                     take before the broker is reported as not answering; default {@value #DEFAULT_ADMIN_TIMEOUT}
 */
@ConfigurationProperties(ConsumerHealthSettings.PREFIX)
public record ConsumerHealthSettings(
        @Bindable(defaultValue = DEFAULT_STALL_AFTER) Duration stallAfter,
        @Bindable(defaultValue = DEFAULT_CHECK_EVERY) Duration checkEvery,
        @Bindable(defaultValue = DEFAULT_ADMIN_TIMEOUT) Duration adminTimeout) {

    public static final String PREFIX = "tideline.kafka.consumers";
    static final String DEFAULT_STALL_AFTER = "5m";
    static final String DEFAULT_CHECK_EVERY = "15s";
    static final String DEFAULT_ADMIN_TIMEOUT = "3s";

    public ConsumerHealthSettings {
        Require.positive(stallAfter, PREFIX + ".stall-after");
        Require.positive(checkEvery, PREFIX + ".check-every");
        Require.positive(adminTimeout, PREFIX + ".admin-timeout");
    }
}
