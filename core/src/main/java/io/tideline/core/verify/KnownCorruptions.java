package io.tideline.core.verify;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.Damage;
import io.tideline.core.window.ListedObject;
import io.tideline.schemas.ObjectCorrupted;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which objects are known to be damaged, remembered from the {@link ObjectCorrupted} events of
 * {@code tideline.timeline} (replayed from the beginning, so a restart forgets nothing), and which of them
 * still apply to a bucket as it is listed now. An event names one <em>version</em> of an object (its key,
 * size and Last-Modified): the damage applies while the listing shows that version, and no longer once the
 * object is gone (expired by retention) or replaced (a longer partial, a re-uploaded object: another size
 * or Last-Modified). So the window is cut exactly as long as the damaged bytes are what a restore would read.
 * Thread-safe: a replay thread applies, request threads ask.
 */
public final class KnownCorruptions {

    /** One damaged version of an object. */
    public record Known(String key, long size, Instant lastModified, String reason) {
        boolean isVersion(ListedObject o) {
            // Listings and HEADs give Last-Modified in whole seconds; events keep milliseconds.
            return o.key().equals(key) && o.size() == size
                    && o.lastModified().truncatedTo(ChronoUnit.SECONDS).equals(lastModified.truncatedTo(ChronoUnit.SECONDS));
        }
    }

    private final Map<String, Map<String, Known>> byInstance = new ConcurrentHashMap<>();

    /** Remembers {@code event}; a later event about the same key replaces the earlier one. */
    public void apply(ObjectCorrupted event) {
        byInstance.computeIfAbsent(event.getInstanceId(), i -> new ConcurrentHashMap<>())
                .put(event.getKey(), new Known(event.getKey(), event.getObjectSize(), event.getObjectLastModified(),
                        event.getReason()));
    }

    /** Every damaged version known for {@code instance}. */
    public List<Known> known(InstanceId instance) {
        return List.copyOf(byInstance.getOrDefault(instance.value(), Map.of()).values());
    }

    /** The damage that still applies to {@code inventory}: known versions the listing still shows. */
    public Damage damageIn(InstanceId instance, BucketInventory inventory) {
        return damageIn(known(instance), inventory);
    }

    /** As {@link #damageIn(InstanceId, BucketInventory)}, for a list of known versions (pure). */
    public static Damage damageIn(List<Known> known, BucketInventory inventory) {
        if (known.isEmpty()) {
            return Damage.none();
        }
        Map<String, Known> byKey = new HashMap<>();
        known.forEach(k -> byKey.put(k.key(), k));
        Map<String, String> applies = new HashMap<>();
        for (ListedObject o : inventory.allObjects()) {
            Known k = byKey.get(o.key());
            if (k != null && k.isVersion(o)) {
                applies.put(o.key(), k.reason());
            }
        }
        return Damage.of(applies);
    }
}
