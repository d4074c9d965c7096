package io.tideline.core.window;

import io.tideline.core.ids.BackupId;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A backup directory without a manifest: an upload still in progress, or the remains of a crashed or
 * failed one. Never restorable. Retention removes it once nothing was written to it for a while (see
 * {@link #lastWrittenAt()}), because a long backup keeps writing parts until its manifest lands.
 */
public record IncompleteBackup(BackupId id, List<ListedObject> objects) {

    public IncompleteBackup {
        Objects.requireNonNull(id, "backup id");
        objects = List.copyOf(objects);
        if (objects.isEmpty()) {
            throw new IllegalArgumentException("incomplete backup " + id + " has no objects: it is not in the bucket at all");
        }
    }

    /** The newest write into the directory: an upload that still writes is not abandoned, however old it is. */
    public Instant lastWrittenAt() {
        return objects.stream().map(ListedObject::lastModified).max(Comparator.naturalOrder()).orElseThrow();
    }
}
