package io.tideline.archiver.basebackup;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.tideline.archiver.ArchiverConfig;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.ObjectStores;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Optional;

/** Micronaut wiring of base backups; every bean is off with {@code tideline.archiver[.backup].enabled=false}. */
@Factory
@Requires(property = ArchiverConfig.ENABLED, notEquals = "false")
@Requires(property = BackupSettings.ENABLED, notEquals = "false")
class BaseBackupFactory {

    /** The instance this factory made, so shutdown can reach it without asking a closing context. */
    private final java.util.concurrent.atomic.AtomicReference<BaseBackups> created = new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * Shutdown publishes {@link io.micronaut.context.event.ShutdownEvent} before any bean is destroyed;
     * micronaut-kafka's consumer close then waits for the listener thread, so a backup waiting for WAL
     * must be told first or the shutdown hangs until the WAL wait times out.
     */
    @io.micronaut.runtime.event.annotation.EventListener
    void onShutdown(io.micronaut.context.event.ShutdownEvent event) {
        // Only one that exists: asking the context for it here would try to create it while closing.
        BaseBackups made = created.get();
        if (made != null) {
            made.stop();
        }
    }

    /** The timeline's started-but-unended backups: what a dead archiver left for its successor to fail. */
    @Singleton
    @Bean(preDestroy = "close")
    UnfinishedBackups unfinishedBackups(@io.micronaut.context.annotation.Value("${kafka.bootstrap.servers}") String bootstrapServers,
                                        io.tideline.schemas.serde.EventCodec codec) {
        return new UnfinishedBackups(bootstrapServers, codec).start();
    }

    @Singleton
    @Bean(preDestroy = "close")
    BaseBackups baseBackups(BackupSettings settings, InstanceRegistry registry, ObjectStores stores, SecretStore secrets,
                            EventPublisher publisher, Optional<MeterRegistry> meters, UnfinishedBackups unfinished,
                            Clock clock) {
        BackupMetrics metrics = new BackupMetrics(meters);
        // A removed instance's backup meters go with it (bounded series).
        registry.onChange(change -> {
            if (change.instance().isEmpty()) {
                metrics.forget(change.id());
            }
        });
        BackupEvents events = new BackupEvents(publisher, clock, metrics);
        BaseBackups backups = new BaseBackups(settings, registry, stores, secrets, events,
                new BackupProgressReporter(events, meters, settings.progressInterval()), unfinished, clock);
        created.set(backups);
        return backups;
    }
}
