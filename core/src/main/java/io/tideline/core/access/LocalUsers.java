package io.tideline.core.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The embedded runtime's people, kept as one document in the home's secret store ({@link #REF}): names, BCrypt
 * hashes and grants, never a password. The CLI ({@code tideline user ...}, {@code up}'s first admin) writes it; the
 * restore service reads it on every sign-in and every request, so a change counts at once without a restart.
 * Each write replaces the whole document atomically (the store's promise); two people editing users at the same
 * instant may lose one edit (documented in docs/security.md).
 */
public final class LocalUsers {

    /** Where the document lives in the secret store. */
    public static final SecretRef REF = SecretRef.of("tideline/users");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SecretStore secrets;

    public LocalUsers(SecretStore secrets) {
        this.secrets = secrets;
    }

    /** Every user, by name. */
    public List<LocalUser> all() {
        return secrets.find(REF).map(LocalUsers::parse).orElse(List.of());
    }

    public Optional<LocalUser> find(String name) {
        return all().stream().filter(u -> u.name().equals(name)).findFirst();
    }

    /** Adds {@code user}, or replaces the user of that name. */
    public void put(LocalUser user) {
        List<LocalUser> users = new ArrayList<>(all());
        users.removeIf(u -> u.name().equals(user.name()));
        users.add(user);
        write(users);
    }

    /** Adds {@code user} only when nobody has its name; returns whether it did. */
    public boolean add(LocalUser user) {
        if (find(user.name()).isPresent()) {
            return false;
        }
        put(user);
        return true;
    }

    /** Removes the user; returns whether there was one. */
    public boolean remove(String name) {
        List<LocalUser> users = new ArrayList<>(all());
        boolean removed = users.removeIf(u -> u.name().equals(name));
        if (removed) {
            write(users);
        }
        return removed;
    }

    private void write(List<LocalUser> users) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("users");
        users.stream().sorted(Comparator.comparing(LocalUser::name)).forEach(u -> {
            ObjectNode n = list.addObject();
            n.put("name", u.name());
            n.put("passwordHash", u.passwordHash());
            n.put("createdAt", u.createdAt().toString());
            ArrayNode grants = n.putArray("grants");
            u.grants().forEach(g -> grants.addObject().put("role", g.role().word()).put("instances", g.instances()));
        });
        try {
            secrets.put(REF, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the users", e);
        }
    }

    private static List<LocalUser> parse(String text) {
        try {
            List<LocalUser> users = new ArrayList<>();
            for (JsonNode n : JSON.readTree(text).path("users")) {
                List<Grant> grants = new ArrayList<>();
                for (JsonNode g : n.path("grants")) {
                    grants.add(new Grant(Role.parse(g.path("role").asText()), g.path("instances").asText()));
                }
                users.add(new LocalUser(n.path("name").asText(), n.path("passwordHash").asText(), grants,
                        Instant.parse(n.path("createdAt").asText())));
            }
            return users;
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalStateException("the users in the secret store (" + REF + ") cannot be read: " + e.getMessage(), e);
        }
    }
}
