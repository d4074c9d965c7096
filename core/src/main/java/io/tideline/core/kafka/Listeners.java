package io.tideline.core.kafka;

/**
 * The constants of the one listener shape every Tideline {@code @KafkaListener} uses (see
 * docs/modules/core.md): annotation attributes must be compile-time constants, so they live here.
 */
public final class Listeners {

    /**
     * Tries of a record after the first failure of a transient kind; with exponential backoff from
     * {@link #RETRY_DELAY} that is 1+2+4+8+16 = 31 s before the record is dead-lettered.
     */
    public static final int RETRY_COUNT = 5;
    /** First backoff of the exponential retry. */
    public static final String RETRY_DELAY = "1s";

    private Listeners() {
    }
}
