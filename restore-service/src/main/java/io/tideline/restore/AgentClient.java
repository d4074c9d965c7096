package io.tideline.restore;

import io.micronaut.core.type.Argument;
import io.micronaut.serde.ObjectMapper;
import io.tideline.restore.host.AgentPaths;
import io.tideline.restore.host.HostInstance;
import io.tideline.restore.host.HostRestoreRequest;
import io.tideline.restore.host.HostRestoreStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The coordinator's side of the agent's HTTP interface ({@link AgentPaths}). A call that gets no answer throws
 * {@link Unreachable}; the caller decides when silence means the agent is gone.
 */
final class AgentClient {

    /** The agent did not answer (connection refused, reset, timed out). */
    static final class Unreachable extends Exception {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What the agent said to a request to start: its status, or why it refused. */
    sealed interface Start {
        record Started(HostRestoreStatus status) implements Start {
        }

        record Refused(String reason) implements Start {
        }
    }

    private final HttpClient http;
    private final ObjectMapper json;
    private final Duration timeout;

    /**
     * @param trust what an {@code https://} agent's certificate must be signed by (the Tideline CA); empty: the
     *              JDK's trust store. The JDK's client checks the agent's name against its certificate.
     */
    AgentClient(ObjectMapper json, Duration timeout, Optional<SSLContext> trust) {
        this.json = json;
        this.timeout = timeout;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout);
        trust.ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    Start start(String base, HostRestoreRequest request) throws Unreachable {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri(base, AgentPaths.RESTORES))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(write(request))));
        if (r.statusCode() == 201 || r.statusCode() == 200) {
            return new Start.Started(read(r.body(), HostRestoreStatus.class));
        }
        return new Start.Refused(text(r));
    }

    /** The restore's status; empty when the agent does not know it (any more). */
    Optional<HostRestoreStatus> status(String base, String restoreId) throws Unreachable {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri(base, AgentPaths.restore(restoreId))).GET());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw new Unreachable("agent at " + base + " answered " + r.statusCode() + ": " + text(r), null);
        }
        return Optional.of(read(r.body(), HostRestoreStatus.class));
    }

    HostInstance handOver(String base, String restoreId) throws Unreachable {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri(base, AgentPaths.handover(restoreId)))
                .POST(HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() != 200) {
            throw new RestoreFailure("the agent at " + base + " did not hand over the recovered instance: " + text(r));
        }
        return read(r.body(), HostInstance.class);
    }

    /** Asks the agent to stop the restore and remove what it made; the agent's sentence. */
    String remove(String base, String restoreId) throws Unreachable {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri(base, AgentPaths.restore(restoreId))).DELETE());
        return text(r);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws Unreachable {
        HttpRequest built = request.timeout(timeout).build();
        try {
            return http.send(built, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Unreachable(built.method() + " " + built.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("the restore service is shutting down", e);
        }
    }

    private static URI uri(String base, String path) {
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    private <T> T read(byte[] body, Class<T> type) {
        try {
            return json.readValue(body, Argument.of(type));
        } catch (IOException e) {
            throw new RestoreFailure("the agent's answer is not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).strip();
    }
}
