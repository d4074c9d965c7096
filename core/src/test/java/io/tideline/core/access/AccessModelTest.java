package io.tideline.core.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 14.2: roles include each other, grants match instance ids by glob, users round-trip without a password. */
class AccessModelTest {

    @Test
    void rolesIncludeTheLowerOnesAndGrantsMatchByGlob() {
        assertTrue(Role.ADMIN.includes(Role.RESTORER) && Role.RESTORER.includes(Role.VIEWER));
        assertFalse(Role.VIEWER.includes(Role.RESTORER));
        Grant orders = new Grant(Role.RESTORER, "orders-*, billing-?");
        assertTrue(orders.allows("orders-eu", Role.RESTORER));
        assertTrue(orders.allows("orders-eu", Role.VIEWER));
        assertFalse(orders.allows("orders-eu", Role.ADMIN));
        assertTrue(orders.allows("billing-1", Role.RESTORER));
        assertFalse(orders.allows("billing-12", Role.RESTORER), "? is one character");
        assertFalse(orders.allows("shop", Role.VIEWER));
        assertThrows(IllegalArgumentException.class, () -> new Grant(Role.VIEWER, "a.b"), "only ids, * and ?");
        assertTrue(Grant.everywhere(Role.VIEWER).covers("anything-at-all"));
        assertThrows(IllegalArgumentException.class, () -> new Grant(Role.VIEWER, "Orders"));
        assertThrows(IllegalArgumentException.class, () -> new Grant(Role.VIEWER, " "));
        assertEquals("no role 'owner': use one of viewer, restorer, admin",
                assertThrows(IllegalArgumentException.class, () -> Role.parse("owner")).getMessage());
    }

    @Test
    void passwordsAreBcryptHashedAndChecked() {
        PasswordHashing hashing = new PasswordHashing();
        String hash = hashing.hash("correct horse".toCharArray());
        assertTrue(hash.startsWith("$2y$12$"), hash);
        assertNotEquals(hash, hashing.hash("correct horse".toCharArray()), "salted");
        assertTrue(PasswordHashing.matches(hash, "correct horse".toCharArray()));
        assertFalse(PasswordHashing.matches(hash, "correct horsf".toCharArray()));
        assertFalse(PasswordHashing.matches("not a hash", "correct horse".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> hashing.hash("short".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> hashing.hash("x".repeat(73).toCharArray()), "BCrypt reads 72 bytes");
    }

    @Test
    void usersRoundTripThroughTheSecretStoreWithoutTheirPasswords() {
        Map<String, String> stored = new HashMap<>();
        SecretStore secrets = new SecretStore() {
            @Override
            public void put(SecretRef ref, String value) {
                stored.put(ref.value(), value);
            }

            @Override
            public Optional<String> find(SecretRef ref) {
                return Optional.ofNullable(stored.get(ref.value()));
            }

            @Override
            public void delete(SecretRef ref) {
                stored.remove(ref.value());
            }
        };
        LocalUsers users = new LocalUsers(secrets);
        assertEquals(List.of(), users.all());
        String hash = new PasswordHashing().hash("s3cret-password".toCharArray());
        assertTrue(users.add(new LocalUser("vera", hash, List.of(new Grant(Role.VIEWER, "shop")), Instant.parse("2026-12-07T21:00:00Z"))));
        assertFalse(users.add(new LocalUser("vera", hash, List.of(), Instant.now())), "one user per name");
        LocalUser vera = users.find("vera").orElseThrow();
        assertEquals(List.of(new Grant(Role.VIEWER, "shop")), vera.grants());
        assertTrue(vera.allows("shop", Role.VIEWER) && !vera.allows("shop", Role.RESTORER));
        assertFalse(stored.get(LocalUsers.REF.value()).contains("s3cret-password"));
        assertTrue(users.remove("vera"));
        assertFalse(users.remove("vera"));
        assertThrows(IllegalArgumentException.class, () -> LocalUser.checkName("Vera Smith"));
    }
}
