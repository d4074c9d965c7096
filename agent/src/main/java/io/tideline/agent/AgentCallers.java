package io.tideline.agent;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.runtime.event.annotation.EventListener;
import io.tideline.restore.host.AgentPaths;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call the agent's API ({@link AgentPaths}): over HTTPS, only a client whose certificate (issued by the Tideline
 * CA: the server's TLS checks that, {@code micronaut.server.ssl.trust-name=tideline}) names one of
 * {@code tideline.agent.allowed-clients} — the coordinator — in its common name. Any other Tideline principal, or a
 * client without a certificate, gets 403 with a sentence, before the request reaches {@link AgentController}.
 *
 * <p>The server asks for a client certificate without requiring one in the handshake ({@code want}, set by
 * {@link AgentApplication}): the same port serves this host's recovering servers their WAL, and their curl has no
 * certificate (it presents the restore's WAL token instead, checked by restore-host's {@code WalController}).
 * On plain HTTP no caller can be told apart, and the API stays open as before (a warning at start).
 */
@ServerFilter("/agent/**") // AgentPaths.RESTORES and everything under it
@Requires(property = AgentConfiguration.ID)
final class AgentCallers {

    private static final Logger LOG = LoggerFactory.getLogger(AgentCallers.class);

    private final AgentConfiguration config;
    private final boolean https;

    AgentCallers(AgentConfiguration config, @Value("${micronaut.server.ssl.enabled:false}") boolean https) {
        this.config = config;
        this.https = https;
    }

    @EventListener
    void warnWhenOpen(StartupEvent started) {
        if (!https) {
            LOG.warn("agent {}: its API is served over plain HTTP, so it cannot tell the coordinator from anyone else who "
                    + "reaches its address; serve it over HTTPS (micronaut.server.ssl.*, tideline.tls.identity) to let only "
                    + "{} in", config.id(), config.allowedClients());
        }
    }

    /** Null: the caller may go on; else the refusal. */
    @RequestFilter
    @Nullable
    HttpResponse<?> admit(HttpRequest<?> request) {
        if (!request.isSecure()) {
            return null;
        }
        Optional<String> principal = request.getCertificate().flatMap(AgentCallers::commonName);
        if (principal.isEmpty()) {
            return refuse(request, "agent " + config.id() + " answers only the restore coordinator: present its client "
                    + "certificate (issued by the Tideline CA); this request had none");
        }
        if (!config.allowedClients().contains(principal.get())) {
            return refuse(request, "agent " + config.id() + " answers only the restore coordinator " + config.allowedClients()
                    + " (tideline.agent.allowed-clients), not " + principal.get());
        }
        return null;
    }

    private static HttpResponse<String> refuse(HttpRequest<?> request, String why) {
        LOG.warn("refused {} {} from {}: {}", request.getMethodName(), request.getPath(), request.getRemoteAddress(), why);
        return HttpResponse.<String>status(HttpStatus.FORBIDDEN).contentType(MediaType.TEXT_PLAIN_TYPE).body(why);
    }

    /** The certificate's subject common name: the Tideline principal ({@code CN=restore,O=Tideline}). */
    static Optional<String> commonName(Certificate certificate) {
        if (!(certificate instanceof X509Certificate x509)) {
            return Optional.empty();
        }
        try {
            for (Rdn rdn : new LdapName(x509.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(String.valueOf(rdn.getValue()));
                }
            }
            return Optional.empty();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }
}
