package io.tideline.restore.host;

/** The agent's HTTP interface, spelled once for both ends. */
public final class AgentPaths {

    /** {@code POST} a {@link HostRestoreRequest}: 201 with a {@link HostRestoreStatus}, 409 (text) when full. */
    public static final String RESTORES = "/agent/restores";

    private AgentPaths() {
    }

    /** {@code GET}: its {@link HostRestoreStatus} (404 unknown); {@code DELETE}: stop it and remove what it made. */
    public static String restore(String restoreId) {
        return RESTORES + "/" + restoreId;
    }

    /** {@code POST}: the recovered instance, passwords rotated, becomes the coordinator's: a {@link HostInstance}. */
    public static String handover(String restoreId) {
        return restore(restoreId) + "/handover";
    }
}
