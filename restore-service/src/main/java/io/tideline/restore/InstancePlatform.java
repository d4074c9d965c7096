package io.tideline.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.restore.RecoverySteps.Made;
import io.tideline.restore.RecoverySteps.Progress;
import io.tideline.restore.RecoverySteps.Recovered;
import java.util.Optional;

/**
 * Where a user's restore makes its new instance. The restore service is the coordinator (it validates, plans,
 * tracks, times out and cleans up); the platform does the host's part. Chosen by
 * {@code tideline.restore.platform.type} ({@link InstancePlatformConfiguration}):
 * <ul>
 *   <li>{@code local} (the default): on this machine, in this process ({@link LocalInstancePlatform});</li>
 *   <li>{@code agent}: on a database host, by the restore agent there that announced free capacity
 *       ({@link AgentInstancePlatform}).</li>
 * </ul>
 */
interface InstancePlatform {

    /**
     * Why the restore cannot be placed on any host now (the reason {@code RestoreRejected} gives); empty when it
     * can. Asked before the restore is accepted, so a refusal leaves nothing made.
     */
    Optional<String> refusal(RestorePlan plan);

    /** Steps 1-6: the new instance recovered to the plan's target and answering; {@code made} says what exists. */
    Recovered recover(RestorePlan plan, RestoreTracker tracker, Made made, Progress progress);

    /** Step 7's first part: new passwords for the recovered instance (none of its source's), and how to reach it. */
    ProvisionedInstance handOver(RestorePlan plan);

    /** Removes the server (data, secrets) a failed restore made; idempotent, also when the restore is unknown. */
    void removeServer(RestoreId restore, InstanceId instance);
}
