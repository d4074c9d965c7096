package io.tideline.cli.restore;

import com.fasterxml.jackson.databind.JsonNode;
import io.tideline.cli.ApiClient;
import io.tideline.cli.CliException;
import io.tideline.cli.output.Json;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestoreTarget;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Restores asked for through the services' API as the signed-in person: {@code POST /api/instances/{id}/restores}
 * and {@code POST /api/restores/{id}/cancel}. The server checks the request (400/422 with the reason: nothing is
 * published), the person's role (403), and writes who asked.
 */
public final class ApiRestores implements RestoreClient.Requester {

    private final ApiClient api;

    public ApiRestores(ApiClient api) {
        this.api = api;
    }

    @Override
    public String request(RegisteredInstance source, RestoreTarget target, Optional<String> newName) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("target", target.asEventText());
        newName.ifPresent(n -> body.put("name", n));
        body.put("exclusive", target.exclusive());
        HttpResponse<String> answer = api.post("/api/instances/" + source.id().value() + "/restores", body);
        if (answer.statusCode() != 202) {
            throw refusal("restore rejected", answer);
        }
        try {
            JsonNode ticket = Json.MAPPER.readTree(answer.body());
            return ticket.get("restoreId").asText();
        } catch (IOException | RuntimeException e) {
            throw CliException.failure("the API's answer to the restore request cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public void cancel(String restoreId) {
        HttpResponse<String> answer = api.post("/api/restores/" + restoreId + "/cancel", Map.of());
        if (answer.statusCode() != 202) {
            throw refusal("cancel refused", answer);
        }
    }

    /** 4xx: refused with the API's reason (exit 4); 5xx: a failure. */
    private static CliException refusal(String what, HttpResponse<String> answer) {
        String detail = detail(answer);
        if (answer.statusCode() == 401) {
            return CliException.refused(what + ": " + detail + " (sign in: ./tideline login)");
        }
        return answer.statusCode() < 500 ? CliException.refused(what + ": " + detail)
                : CliException.failure("the services' API failed (" + ApiClient.describe(answer) + ")");
    }

    private static String detail(HttpResponse<String> answer) {
        try {
            String d = Json.MAPPER.readTree(answer.body()).path("detail").asText("");
            return d.isBlank() ? ApiClient.describe(answer) : d;
        } catch (IOException | RuntimeException e) {
            return ApiClient.describe(answer);
        }
    }
}
