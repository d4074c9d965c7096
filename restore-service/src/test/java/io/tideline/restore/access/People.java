package io.tideline.restore.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.tideline.core.access.Grant;
import io.tideline.core.access.LocalUser;
import io.tideline.core.access.LocalUsers;
import io.tideline.core.access.PasswordHashing;
import io.tideline.core.access.Role;
import io.tideline.core.secrets.SecretStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;

/** Local users for the ITs, in the secret store of the service under test, and their bearer tokens. */
public final class People {

    public static final String PASSWORD = "correct horse battery staple";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private People() {
    }

    /** Adds (or replaces) {@code name} with {@code grants} and the password {@link #PASSWORD}. */
    public static void add(ApplicationContext ctx, String name, Grant... grants) {
        new LocalUsers(ctx.getBean(SecretStore.class)).put(new LocalUser(name,
                new PasswordHashing().hash(PASSWORD.toCharArray()), List.of(grants), Instant.now()));
    }

    /** {@code Authorization} header value of {@code name}, signed in through {@code POST /api/tokens}. */
    public static String bearer(String base, String name) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/tokens"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        java.util.Map.of("username", name, "password", PASSWORD)))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return "Bearer " + JSON.readTree(r.body()).get("token").asText();
    }

    /** An admin of every instance, signed in: its {@code Authorization} header value. */
    public static String admin(ApplicationContext ctx, String base) throws Exception {
        add(ctx, "it-admin", Grant.everywhere(Role.ADMIN));
        return bearer(base, "it-admin");
    }
}
