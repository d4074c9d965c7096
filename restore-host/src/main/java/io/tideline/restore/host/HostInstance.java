package io.tideline.restore.host;

import io.micronaut.serde.annotation.Serdeable;

/**
 * A recovered instance handed over to the coordinator ({@code POST /agent/restores/<id>/handover}): how to reach
 * it. Its passwords were rotated by the agent and are in the secret store under the instance's references.
 */
@Serdeable
public record HostInstance(String instanceId, String host, int port, String database, String dataDir, String postgresVersion) {
}
