package io.tideline.core.instance;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretRef;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The two roles Tideline keeps for itself on an instance and where their passwords are kept: a
 * superuser for maintenance and checks, and a {@code REPLICATION} role for base backups and WAL
 * streaming. Neither is ever handed to a tenant: the tenant gets the instance's owner role,
 * {@link #OWNER_USER}, which is not a superuser and reaches no file of the server (see
 * docs/modules/platform-local.md, "Roles"). Only references: the passwords themselves are in the
 * secret store.
 *
 * <p>A restored instance starts with the roles and passwords of its source (they are inside the
 * base backup), so its credentials may name other users or references than {@link #standard}.
 */
public record InstanceCredentials(String adminUser, SecretRef adminSecret, String replicationUser, SecretRef replicationSecret) {

    public static final String ADMIN_USER = "tideline_admin";
    public static final String REPLICATION_USER = "tideline_replicator";
    /**
     * The tenant's role on every instance, created or restored: same name everywhere, password under
     * {@link #ownerSecret}, so the registry need not carry it.
     */
    public static final String OWNER_USER = "tideline_owner";

    // Plain identifiers only: they are written into pg_hba.conf and SQL without quoting.
    private static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public InstanceCredentials {
        requireRole(adminUser, "admin user");
        requireRole(replicationUser, "replication user");
        Objects.requireNonNull(adminSecret, "adminSecret");
        Objects.requireNonNull(replicationSecret, "replicationSecret");
        if (adminUser.equals(OWNER_USER) || replicationUser.equals(OWNER_USER)) {
            throw new IllegalArgumentException("Tideline's roles must not be the tenant's " + OWNER_USER);
        }
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

    /**
     * The roles of a restored copy of a source whose roles are {@code adminUser} and {@code replicationUser}
     * (they come inside its backup), under the copy's standard secret references. An adopted server may use
     * one superuser for both jobs; the copy then gets its own {@link #REPLICATION_USER}, made when its
     * passwords are first rotated, so that rotating one role never changes the other's password.
     */
    public static InstanceCredentials forCopy(InstanceId copy, String adminUser, String replicationUser) {
        InstanceCredentials standard = standard(copy);
        String replication = adminUser.equals(replicationUser) ? REPLICATION_USER : replicationUser;
        return new InstanceCredentials(adminUser, standard.adminSecret(), replication, standard.replicationSecret());
    }

    /** Where the password of the instance's owner role ({@link #OWNER_USER}) is kept: {@code instances/<id>/owner}. */
    public static SecretRef ownerSecret(InstanceId id) {
        return SecretRef.of("instances/" + id.value() + "/owner");
    }
}
