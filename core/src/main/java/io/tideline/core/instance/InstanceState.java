package io.tideline.core.instance;

/** What an instance's server is doing, as its provisioner sees it. */
public enum InstanceState {
    /** Reserved by {@link InstanceProvisioner#allocate}; its data directory awaits a base backup. */
    ALLOCATED,
    /** A cluster exists and its server is not running. */
    STOPPED,
    /** The server is running (it may still be recovering: see {@link InstanceProvisioner#awaitPromotion}). */
    RUNNING
}
