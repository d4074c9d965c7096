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
    private final java.util.concurrent.atomic.AtomicReference<BackupCommandConsumer> consumer = new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * Shutdown publishes {@link io.micronaut.context.event.ShutdownEvent} before any bean is destroyed: a
     * backup waiting for WAL is told first (or the shutdown would wait for the WAL wait's timeout), then
     * the command consumer lets the running backups end, commits what ended and leaves the group.
     */
    @io.micronaut.runtime.event.annotation.EventListener
    void onShutdown(io.micronaut.context.event.ShutdownEvent event) {
        // Only one that exists: asking the context for it here would try to create it while closing.
        BaseBackups made = created.get();
        if (made != null) {
            made.stop();
        }
        BackupCommandConsumer commands = consumer.get();
        if (commands != null) {
            commands.close();
        }
    }

    /**
     * The consumer of backup commands and its pool, started with the context. It connects as the archiver
     * ({@link io.tideline.core.kafka.KafkaClients}), with micronaut-kafka's
     * {@code kafka.consumers.tideline-archiver-backups.*} on top.
     */
    @io.micronaut.context.annotation.Context
    @Requires(property = "kafka.bootstrap.servers")
    @Bean(preDestroy = "close")
    BackupCommandConsumer backupCommands(BaseBackups backups, BackupPoolSettings pool, @jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.ARCHIVER) EventPublisher publisher,
                                         io.tideline.core.kafka.KafkaClients kafkaClients,
                                         io.tideline.schemas.serde.EventCodec codec,
                                         Optional<io.tideline.core.kafka.DeadLetterTally> tally, InstanceRegistry registry,
                                         io.tideline.core.storage.ObjectStoreSettings storage,
                                         io.micronaut.context.env.Environment environment, Optional<MeterRegistry> meters,
                                         Clock clock) {
        java.util.Map<String, Object> kafka = kafkaClients.connection(io.tideline.core.kafka.KafkaPrincipals.ARCHIVER).config();
        kafka.putAll(environment.getProperties("kafka.consumers." + BackupSettings.GROUP_ID,
                io.micronaut.core.naming.conventions.StringConvention.RAW));
        String endpoint = storage.endpoint().map(Object::toString).orElse("s3." + storage.region());
        BackupCommandConsumer made = new BackupCommandConsumer(kafka, pool, codec, registry, endpoint,
                new BackupCommandWork(backups, publisher, codec, tally, clock));
        meters.ifPresent(m -> {
            io.micrometer.core.instrument.Gauge.builder("tideline.archiver.backup.queued", made.pool(), BackupPool::queued)
                    .description("backup commands accepted and waiting for a free slot of the pool").register(m);
            io.micrometer.core.instrument.Gauge.builder("tideline.archiver.backup.running", made.pool(), BackupPool::running)
                    .description("backups being taken by this replica").register(m);
        });
        consumer.set(made);
        return made.start();
    }

    /** The timeline's started-but-unended backups: what a dead archiver left for its successor to fail. */
    @Singleton
    @Bean(preDestroy = "close")
    UnfinishedBackups unfinishedBackups(io.tideline.core.kafka.KafkaClients kafka, io.tideline.schemas.serde.EventCodec codec) {
        return new UnfinishedBackups(kafka.connection(io.tideline.core.kafka.KafkaPrincipals.ARCHIVER), codec).start();
    }

    /** The replica's one pool of part compressors and uploaders, with its budget of parts in flight (issue 18). */
    @Singleton
    @Bean(preDestroy = "close")
    PartPipeline partPipeline(BackupSettings settings, Optional<MeterRegistry> meters) {
        PartPipeline pipeline = PartPipeline.of(settings);
        meters.ifPresent(m -> io.micrometer.core.instrument.Gauge.builder("tideline.archiver.backup.parts.in.flight", pipeline,
                        PartPipeline::inFlight)
                .description("base-backup parts held in memory (read, compressing or uploading), all backups together")
                .register(m));
        return pipeline;
    }

    @Singleton
    @Bean(preDestroy = "close")
    BaseBackups baseBackups(BackupSettings settings, InstanceRegistry registry, ObjectStores stores, SecretStore secrets,
                            @jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.ARCHIVER) EventPublisher publisher,
                            Optional<MeterRegistry> meters, UnfinishedBackups unfinished, PartPipeline parts, Clock clock) {
        BackupMetrics metrics = new BackupMetrics(meters);
        // A removed instance's backup meters go with it (bounded series).
        registry.onChange(change -> {
            if (change.instance().isEmpty()) {
                metrics.forget(change.id());
            }
        });
        BackupEvents events = new BackupEvents(publisher, clock, metrics);
        BaseBackups backups = new BaseBackups(settings, registry, stores, secrets, events,
                new BackupProgressReporter(events, meters, settings.progressInterval()), unfinished, parts, clock);
        created.set(backups);
        return backups;
    }
}
