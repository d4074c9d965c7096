package io.tideline.restore.access;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.authentication.Authentication;
import io.tideline.core.access.Grant;
import io.tideline.core.access.LocalUser;
import io.tideline.core.access.LocalUsers;
import io.tideline.core.access.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a signed-in person may do on an instance, decided from the grants as they are now: a local user's from the
 * secret store (read per decision, so a removed user or grant counts at once), anyone else's (OpenID Connect) from
 * the roles of the sign-in, each {@code role:instances} (e.g. {@code restorer:orders-*}; docs/security.md).
 */
public final class Access {

    /** The attribute marking a sign-in against the local users (session or token). */
    public static final String LOCAL = "tideline_local";

    private final LocalUsers users;

    public Access(LocalUsers users) {
        this.users = users;
    }

    /** Whether {@code who} has at least {@code role} on {@code instanceId}. */
    public boolean allows(@Nullable Authentication who, String instanceId, Role role) {
        return who != null && grants(who).map(gs -> gs.stream().anyMatch(g -> g.allows(instanceId, role))).orElse(false);
    }

    /**
     * @param what what the request would do, in words ("start a restore of")
     * @throws AccessRefused 403 naming the role needed; 401 when nobody, or a user that no longer exists, asks
     */
    public void require(@Nullable Authentication who, String instanceId, Role role, String what) {
        if (who == null) {
            throw new AccessRefused(null, "sign in first");
        }
        Optional<List<Grant>> grants = grants(who);
        if (grants.isEmpty()) {
            throw new AccessRefused(null, "user " + who.getName() + " no longer exists: sign in again");
        }
        if (grants.get().stream().noneMatch(g -> g.allows(instanceId, role))) {
            throw new AccessRefused(who, who.getName() + " may not " + what + " " + instanceId + ": that needs the "
                    + role.word() + " role on it" + held(grants.get(), instanceId));
        }
    }

    /** The grants of {@code who}; empty when it signed in as a local user that is gone. */
    public Optional<List<Grant>> grants(Authentication who) {
        Optional<LocalUser> local = users.find(who.getName());
        if (local.isPresent()) {
            return Optional.of(local.get().grants());
        }
        if (Boolean.TRUE.equals(who.getAttributes().get(LOCAL)) || "true".equals(String.valueOf(who.getAttributes().get(LOCAL)))) {
            return Optional.empty();
        }
        List<Grant> fromRoles = new ArrayList<>();
        for (String role : who.getRoles()) {
            int colon = role.indexOf(':');
            if (colon > 0) {
                try {
                    fromRoles.add(new Grant(Role.parse(role.substring(0, colon)), role.substring(colon + 1)));
                } catch (IllegalArgumentException notOurs) {
                    // a role of the identity provider that is no grant of Tideline's
                }
            }
        }
        return Optional.of(fromRoles);
    }

    private static String held(List<Grant> grants, String instanceId) {
        return grants.stream().filter(g -> g.covers(instanceId)).findFirst()
                .map(g -> " (it has " + g.role().word() + ")").orElse("");
    }
}
