package io.tideline.retention.verify;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.retention.RetentionConfiguration;
import io.tideline.retention.run.InstanceOwnership;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link BackgroundVerifier} for every owned instance every {@code interval}, one instance at a
 * time on its own thread (so the configured pace is the service's whole read rate). Its own executor, as
 * retention's runs: stopped in {@code @PreDestroy}.
 */
@Context
@Requires(property = RetentionConfiguration.ENABLED, notEquals = "false")
@Requires(property = VerifyConfiguration.ENABLED, notEquals = "false")
@Requires(property = "kafka.bootstrap.servers")
public class BackgroundVerifierService {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundVerifierService.class);

    private final BackgroundVerifier verifier;
    private final InstanceRegistry registry;
    private final InstanceOwnership ownership;
    private final VerifyConfiguration config;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "background-verifier");
        t.setDaemon(true);
        return t;
    });

    public BackgroundVerifierService(BackgroundVerifier verifier, InstanceRegistry registry, InstanceOwnership ownership,
                                     VerifyConfiguration config) {
        this.verifier = verifier;
        this.registry = registry;
        this.ownership = ownership;
        this.config = config;
    }

    @PostConstruct
    void start() {
        long every = config.interval().toMillis();
        thread.scheduleWithFixedDelay(this::pass, every, every, TimeUnit.MILLISECONDS);
        LOG.info("background verifier: every {}, each object at least once per {}, at most {} bytes/s",
                config.interval(), config.fullPass(), config.bytesPerSecond());
    }

    /** Every owned, registered instance: what is due is re-read. */
    void pass() {
        for (RegisteredInstance instance : registry.all()) {
            InstanceId id = instance.id();
            if (!ownership.owns(id)) {
                continue;
            }
            try {
                verifier.run(id);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A failing store or a bug for one instance must not stop the others' verification.
                LOG.warn("background verifier: {} not verified this time: {}", id, e.toString());
            }
        }
    }

    @PreDestroy
    void stop() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
