package io.tideline.retention;

import io.tideline.core.window.ListedObject;

import java.util.Objects;

/** An object retention removes because nothing restorable needs it or explains it, with why. */
public record Orphan(ListedObject object, String reason) {
    public Orphan {
        Objects.requireNonNull(object, "object");
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("an orphan needs a reason");
        }
    }
}
