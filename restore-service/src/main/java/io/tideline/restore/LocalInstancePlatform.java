package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.restore.RecoverySteps.Made;
import io.tideline.restore.RecoverySteps.Progress;
import io.tideline.restore.RecoverySteps.Recovered;
import jakarta.inject.Singleton;
import java.util.Optional;

/** The {@code local} platform: new instances on this machine, made in this process by the instance provisioner. */
@Singleton
@Requires(property = InstancePlatformConfiguration.TYPE, value = "local", defaultValue = "local")
final class LocalInstancePlatform implements InstancePlatform {

    private final RecoverySteps steps;
    private final InstanceProvisioner instances;

    LocalInstancePlatform(RecoverySteps steps, InstanceProvisioner instances) {
        this.steps = steps;
        this.instances = instances;
    }

    /** This machine takes every restore (the restore runner's threads bound how many run at once). */
    @Override
    public Optional<String> refusal(RestorePlan plan) {
        return Optional.empty();
    }

    @Override
    public Recovered recover(RestorePlan plan, RestoreTracker tracker, Made made, Progress progress) {
        return steps.recover(plan, tracker, made, progress);
    }

    @Override
    public ProvisionedInstance handOver(RestorePlan plan) {
        instances.rotatePasswords(plan.newInstance());
        return instances.get(plan.newInstance());
    }

    @Override
    public void removeServer(RestoreId restore, InstanceId instance) {
        instances.destroy(instance);
    }
}
