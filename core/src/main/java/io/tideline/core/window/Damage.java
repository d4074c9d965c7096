package io.tideline.core.window;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Objects of a bucket known to be damaged (they do not read back as recorded), each with the reason a
 * person is told. {@link RestorableWindow#of(BucketInventory, Damage)} treats a damaged object as absent:
 * a backup with a damaged manifest or part restores nothing, and contiguous WAL stops at a damaged WAL
 * object, so the window is cut there. Who decides what is damaged (a verifier that re-read the bytes)
 * and which damage still applies (the object may since have been replaced or expired) is
 * {@code io.tideline.core.verify}'s business; this is only the pure input of the window.
 *
 * @param reasons object key → why it is damaged
 */
public record Damage(Map<String, String> reasons) {

    private static final Damage NONE = new Damage(Map.of());

    public Damage {
        reasons = Map.copyOf(reasons);
    }

    public static Damage none() {
        return NONE;
    }

    public static Damage of(Map<String, String> reasons) {
        return new Damage(reasons);
    }

    public boolean isEmpty() {
        return reasons.isEmpty();
    }

    public boolean contains(String key) {
        return reasons.containsKey(key);
    }

    public Optional<String> reasonFor(String key) {
        return Optional.ofNullable(reasons.get(key));
    }

    /** The damaged keys with their reasons, in key order (for messages and views). */
    public Map<String, String> sorted() {
        return new TreeMap<>(reasons);
    }
}
