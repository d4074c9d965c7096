package io.tideline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Issue 16: the CLI shows what a service's problem+json answer says, not only its status. */
class ApiProblemTest {

    @Test
    void aProblemsDetailIsShownAndAnythingElseIsItsStatus() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        answer(server, "/problem", 404, "application/problem+json",
                "{\"type\":\"urn:tideline:problem:unknown-instance\",\"title\":\"Unknown instance\",\"status\":404,"
                        + "\"detail\":\"no instance orders is registered\"}");
        answer(server, "/untitled", 503, "application/problem+json", "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503}");
        answer(server, "/html", 502, "text/html", "<html>bad gateway</html>");
        answer(server, "/broken", 500, "application/problem+json", "{not json");
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            assertEquals("HTTP 404: no instance orders is registered", ApiProblem.describe(get(base + "/problem")));
            assertEquals("HTTP 503 Service Unavailable", ApiProblem.describe(get(base + "/untitled")));
            assertEquals("HTTP 502", ApiProblem.describe(get(base + "/html")));
            assertEquals("HTTP 500", ApiProblem.describe(get(base + "/broken")));
        } finally {
            server.stop(0);
        }
    }

    private static void answer(HttpServer server, String path, int status, String type, String body) {
        server.createContext(path, exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
