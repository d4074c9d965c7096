package io.tideline.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.StorageProvisioner;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link StorageProvisioner} that only remembers which instances have a bucket. */
final class InMemoryBuckets implements StorageProvisioner {

    private final Set<InstanceId> provisioned = ConcurrentHashMap.newKeySet();

    @Override
    public BucketGrant provision(InstanceId instance) {
        provisioned.add(instance);
        return BucketGrant.of(instance);
    }

    @Override
    public void deprovision(InstanceId instance) {
        provisioned.remove(instance);
    }

    boolean has(InstanceId instance) {
        return provisioned.contains(instance);
    }
}
