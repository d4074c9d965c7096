package io.tideline.core.instance;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretRef;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The two roles Tideline uses on an instance and where their passwords are kept: a superuser for
 * administration and checks, and a {@code REPLICATION} role for base backups and WAL streaming.
 * Only references: the passwords themselves are in the secret store.
 *
 * <p>A restored instance starts with the roles and passwords of its source (they are inside the
 * base backup), so its credentials may name other users or references than {@link #standard}.
 */
public record InstanceCredentials(String adminUser, SecretRef adminSecret, String replicationUser, SecretRef replicationSecret) {

    public static final String ADMIN_USER = "tideline_admin";
    public static final String REPLICATION_USER = "tideline_replicator";

    // Plain identifiers only: they are written into pg_hba.conf and SQL without quoting.
    private static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public InstanceCredentials {
        requireRole(adminUser, "admin user");
        requireRole(replicationUser, "replication user");
        Objects.requireNonNull(adminSecret, "adminSecret");
        Objects.requireNonNull(replicationSecret, "replicationSecret");
        if (adminUser.equals(replicationUser)) {
            throw new IllegalArgumentException("the admin and the replication role must differ: " + adminUser);
        }
    }

    private static void requireRole(String role, String what) {
        if (role == null || !ROLE.matcher(role).matches()) {
            throw new IllegalArgumentException("not a valid " + what + " (lower-case identifier): '" + role + "'");
        }
    }

    /** {@code tideline_admin} / {@code tideline_replicator}, secrets under {@code instances/<id>/admin} and {@code .../replicator}. */
    public static InstanceCredentials standard(InstanceId id) {
        return new InstanceCredentials(
                ADMIN_USER, SecretRef.of("instances/" + id.value() + "/admin"),
                REPLICATION_USER, SecretRef.of("instances/" + id.value() + "/replicator"));
    }
}
