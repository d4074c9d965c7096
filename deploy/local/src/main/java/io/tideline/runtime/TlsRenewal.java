package io.tideline.runtime;

import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.tls.TlsIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's one renewal task: every identity the runtime uses is {@code ensure}d at start and then every
 * {@link #INTERVAL} (an identity is renewed when less than a third of its life is left, {@link TlsCredentials}).
 * Each hop reacts to a renewal of its identity by a hook ({@link #onRenewal}): Java servers need none (their key
 * managers re-read the secret store: the services' HTTPS, the S3 server), a server configured by files does
 * (Kafka's dynamic key-store update, PostgreSQL's {@code pg_reload_conf}).
 */
public final class TlsRenewal implements AutoCloseable {

    /** How often every identity is checked; renewal starts ten days before expiry, so hourly is plenty. */
    public static final Duration INTERVAL = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(TlsRenewal.class);

    private final TlsCredentials credentials;
    private final Map<String, CertificateRequest> identities = new LinkedHashMap<>();
    private final Map<String, List<Consumer<TlsIdentity>>> hooks = new LinkedHashMap<>();
    private final List<Runnable> passes = new ArrayList<>();
    private ScheduledExecutorService scheduler;

    public TlsRenewal(TlsCredentials credentials) {
        this.credentials = credentials;
    }

    public TlsCredentials credentials() {
        return credentials;
    }

    /** Issues (or renews) {@code name} now and keeps it renewed from {@link #start} on. */
    public synchronized TlsIdentity ensure(String name, CertificateRequest request) {
        identities.put(name, request);
        return credentials.ensure(name, request);
    }

    /** {@code hook} runs after {@code name} was renewed (by the periodic task, on its thread). */
    public synchronized void onRenewal(String name, Consumer<TlsIdentity> hook) {
        hooks.computeIfAbsent(name, n -> new ArrayList<>()).add(hook);
    }

    /**
     * {@code pass} runs now and at every check: for certificates whose set changes while the runtime runs
     * (the PostgreSQL instances', made and removed with their instances), which renew themselves in it.
     */
    public void eachPass(Runnable pass) {
        runLogged(pass);
        synchronized (this) {
            passes.add(pass);
        }
    }

    private static void runLogged(Runnable pass) {
        try {
            pass.run();
        } catch (RuntimeException e) {
            LOG.warn("a TLS renewal pass failed (tried again in {}): {}", INTERVAL, e.getMessage(), e);
        }
    }

    /** The names of the identities kept renewed. */
    public synchronized List<String> names() {
        return List.copyOf(identities.keySet());
    }

    /** Starts the periodic check (the first after one {@link #INTERVAL}: {@link #ensure} did the one at start). */
    public synchronized void start() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tls-renewal");
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleWithFixedDelay(this::renewDue, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** One pass: renews what is due, runs the hooks of what was renewed; a failure is logged and retried next time. */
    public void renewDue() {
        Map<String, CertificateRequest> now;
        synchronized (this) {
            now = new LinkedHashMap<>(identities);
        }
        now.forEach((name, request) -> {
            try {
                Optional<TlsIdentity> before = credentials.find(name);
                TlsIdentity after = credentials.ensure(name, request);
                if (before.isEmpty() || !before.get().certificate().equals(after.certificate())) {
                    LOG.info("TLS identity {} renewed, valid until {}", name, after.notAfter());
                    List<Consumer<TlsIdentity>> toRun;
                    synchronized (this) {
                        toRun = List.copyOf(hooks.getOrDefault(name, List.of()));
                    }
                    toRun.forEach(hook -> hook.accept(after));
                }
            } catch (RuntimeException e) {
                LOG.warn("cannot renew the TLS identity {} (tried again in {}): {}", name, INTERVAL, e.getMessage(), e);
            }
        });
        List<Runnable> toRun;
        synchronized (this) {
            toRun = List.copyOf(passes);
        }
        toRun.forEach(TlsRenewal::runLogged);
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
