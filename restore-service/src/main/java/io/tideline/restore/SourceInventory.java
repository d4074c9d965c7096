package io.tideline.restore;

import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.window.BucketInventory;

/**
 * What a source instance's bucket holds now, read through the source's own credentials (a restore only
 * ever reads it). Storage errors propagate: a bucket that cannot be read now is no reason to reject for good.
 */
@FunctionalInterface
interface SourceInventory {

    BucketInventory of(RegisteredInstance source);
}
