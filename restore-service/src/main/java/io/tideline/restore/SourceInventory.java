package io.tideline.restore;

import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.Damage;

/**
 * What a source instance's bucket holds now, read through the source's own credentials (a restore only
 * ever reads it). Storage errors propagate: a bucket that cannot be read now is no reason to reject for good.
 */
@FunctionalInterface
interface SourceInventory {

    BucketInventory of(RegisteredInstance source);

    /** The objects of {@code inventory} known to be damaged (the window is cut at them); none by default. */
    default Damage damageIn(RegisteredInstance source, BucketInventory inventory) {
        return Damage.none();
    }
}
