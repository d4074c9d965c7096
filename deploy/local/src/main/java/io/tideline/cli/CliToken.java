package io.tideline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tideline.cli.output.Json;
import io.tideline.runtime.PrivateFile;
import io.tideline.runtime.RuntimeHome;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CLI's sign-in ({@code tideline login}): a bearer token of the services' API, kept in the home's
 * {@code cli-token.json} (0600: whoever reads it acts as the person until it expires), with the API it is for and
 * who it names. Commands that go through the API send it; {@code tideline logout} deletes it.
 */
public record CliToken(URI api, String user, String token, Instant expiresAt) {

    public void write(RuntimeHome home) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("api", api.toString());
        m.put("user", user);
        m.put("token", token);
        m.put("expiresAt", expiresAt.toString());
        try {
            PrivateFile.write(home.tokenFile(), Json.MAPPER.writeValueAsString(m) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Optional<CliToken> read(RuntimeHome home) {
        Path file = home.tokenFile();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode n = Json.MAPPER.readTree(Files.readString(file));
            return Optional.of(new CliToken(URI.create(n.path("api").asText()), n.path("user").asText(), n.path("token").asText(),
                    Instant.parse(n.path("expiresAt").asText())));
        } catch (IOException | RuntimeException e) {
            throw CliException.failure("the sign-in token " + file + " cannot be read (" + e.getMessage()
                    + "): sign in again with ./tideline login");
        }
    }

    /** Deletes the token; returns whether there was one. */
    public static boolean delete(RuntimeHome home) {
        try {
            return Files.deleteIfExists(home.tokenFile());
        } catch (IOException e) {
            throw CliException.failure("cannot delete " + home.tokenFile() + ": " + e.getMessage());
        }
    }
}
