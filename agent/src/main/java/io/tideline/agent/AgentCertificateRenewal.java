package io.tideline.agent;

import io.micronaut.context.annotation.Requires;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the server certificates of the PostgreSQL servers this agent made (restored copies kept running on its host),
 * as the embedded runtime does for its own: once when the agent is up, then every hour, each pass the provisioner's
 * {@code renewCertificates()} (a certificate with a third of its lifetime left is re-issued, written, and its server
 * reloads, no restart). Without it a copy kept longer than a certificate's lifetime (30 days) would refuse every
 * verify-full client. A failed pass is logged and the next one tries again.
 */
@Singleton
@Requires(property = AgentConfiguration.ID)
final class AgentCertificateRenewal {

    private static final Logger LOG = LoggerFactory.getLogger(AgentCertificateRenewal.class);
    /** As the embedded runtime: renewal starts with 10 of 30 days left, so an hourly look is plenty. */
    static final Duration CHECK = Duration.ofHours(1);

    private final Supplier<List<InstanceId>> renew;
    private final Duration every;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "agent-certificate-renewal");
        t.setDaemon(true);
        return t;
    });

    @Inject
    AgentCertificateRenewal(InstanceProvisioner instances) {
        this(renewalOf(instances), CHECK);
    }

    /** Only the local provisioner makes servers with certificates on this host; another has nothing here to renew. */
    private static Supplier<List<InstanceId>> renewalOf(InstanceProvisioner instances) {
        if (instances instanceof LocalPostgresProvisioner local) {
            return local::renewCertificates;
        }
        return List::of;
    }

    AgentCertificateRenewal(Supplier<List<InstanceId>> renew, Duration every) {
        this.renew = renew;
        this.every = every;
    }

    @EventListener
    void onStartup(ServerStartupEvent event) {
        start();
    }

    /** The first pass now (on the timer's thread), then one every {@code every}. */
    void start() {
        timer.scheduleWithFixedDelay(this::pass, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void pass() {
        try {
            List<InstanceId> renewed = renew.get();
            if (!renewed.isEmpty()) {
                LOG.info("renewed the server certificates of {}", renewed);
            }
        } catch (RuntimeException e) {
            LOG.warn("certificate renewal pass failed, retried in {}: {}", every, e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
