package io.tideline.core.verify;

import io.tideline.core.storage.Sha256;
import java.util.Objects;
import java.util.Optional;

/**
 * What re-reading one object found.
 *
 * @param object   the object as listed
 * @param outcome  {@link Outcome}
 * @param actual   the sha256 of the bytes read, when read to the end
 * @param expected the sha256 recorded for it, when one was found
 * @param detail   one sentence for a person (empty for {@link Outcome#OK})
 */
public record VerifiedObject(ObjectToVerify object, Outcome outcome, Optional<Sha256> expected, Optional<Sha256> actual,
                             String detail) {

    /**
     * OK: the bytes hash to the recorded sha256. DAMAGED: they do not, or no sha256 is recorded where one must be.
     * GONE: deleted since the listing (retention at work): nothing to check. UNREADABLE: the store failed while
     * reading (not evidence of damage: told, not published).
     */
    public enum Outcome { OK, DAMAGED, GONE, UNREADABLE }

    public VerifiedObject {
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(detail, "detail");
    }

    public String key() {
        return object.key();
    }

    public boolean damaged() {
        return outcome == Outcome.DAMAGED;
    }
}
