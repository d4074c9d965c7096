package io.tideline.core.tls;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.ssl.CertificateProvider;
import io.tideline.core.secrets.SecretStore;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.security.KeyStore;
import java.time.Clock;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The HTTP server's key and certificate from the secret store ({@code tideline.tls.identity}), as Micronaut's
 * {@link CertificateProvider} (4.10+): selected by {@code micronaut.server.ssl.key-name=tideline}. The key store
 * is published at once on subscription (so the server never starts without it) and again whenever the stored
 * identity changed (re-read every {@code tideline.tls.recheck}): Micronaut then builds a new Netty SSL context
 * for the next connections, so a renewed certificate is served without a restart. As the trust store
 * ({@code micronaut.server.ssl.trust-name=tideline}, for client certificates) it offers the CA that issued the
 * identity: a server that asks for client certificates (the restore agent) takes those of the Tideline CA only.
 */
@Singleton
@Named(IdentityCertificateProvider.NAME)
@Requires(property = TlsSettings.IDENTITY)
@Requires(classes = {CertificateProvider.class, Flux.class})
@Requires(beans = SecretStore.class)
public final class IdentityCertificateProvider implements CertificateProvider {

    /** The value of {@code micronaut.server.ssl.key-name} that selects this provider. */
    public static final String NAME = "tideline";
    /**
     * Protects the key inside a key store that exists only in this JVM's memory (Micronaut's key manager factory
     * opens it with {@code micronaut.server.ssl.key.password}): not a secret, as nothing is ever written with it.
     */
    public static final String IN_MEMORY_KEY_PASSWORD = "tideline-in-memory";
    private static final String ALIAS = "tideline";

    private final Supplier<TlsIdentity> live;
    private final TlsSettings settings;

    public IdentityCertificateProvider(SecretStore secrets, TlsSettings settings, Clock clock) {
        this.settings = settings;
        String name = settings.identity().orElseThrow();
        this.live = new TlsCredentials(secrets, clock).live(name, settings.recheck());
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public Publisher<KeyStore> getKeyStore() {
        return Flux.concat(Mono.fromCallable(live::get),
                        Flux.interval(settings.recheck(), settings.recheck()).map(tick -> live.get()))
                .distinctUntilChanged(identity -> identity.certificate())
                .map(identity -> identity.keyStore(ALIAS, IN_MEMORY_KEY_PASSWORD.toCharArray()));
    }

    /** The Tideline CA only (Micronaut's default would be the key store, which trusts the server's own certificate). */
    @Override
    public Publisher<KeyStore> getTrustStore() {
        return Flux.concat(Mono.fromCallable(live::get),
                        Flux.interval(settings.recheck(), settings.recheck()).map(tick -> live.get()))
                .distinctUntilChanged(identity -> identity.caCertificate())
                .map(TlsIdentity::trustStore);
    }
}
