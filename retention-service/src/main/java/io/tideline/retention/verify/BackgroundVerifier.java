package io.tideline.retention.verify;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.verify.BucketVerifier;
import io.tideline.core.verify.CorruptionEvents;
import io.tideline.core.verify.Pace;
import io.tideline.core.verify.VerificationReport;
import io.tideline.core.verify.VerifiedObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One background verification of one instance: core's {@link BucketVerifier} re-reads the objects that
 * are due (not read for a full pass), at the configured pace, and each damaged version is published once
 * as {@code ObjectCorrupted} (the window's readers cut it there; {@link CorruptionResponse} asks for a
 * backup when it ends the window early). Missing WAL and history are logged: the window already reflects
 * what is not stored.
 */
public final class BackgroundVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundVerifier.class);

    private final Function<InstanceId, Optional<RegisteredInstance>> registry;
    private final Function<InstanceId, ObjectStore> stores;
    private final EventPublisher publisher;
    private final VerifyConfiguration config;
    private final VerifiedLedger ledger;
    private final Clock clock;
    private final Map<InstanceId, List<String>> lastMissing = new ConcurrentHashMap<>();

    public BackgroundVerifier(Function<InstanceId, Optional<RegisteredInstance>> registry, Function<InstanceId, ObjectStore> stores,
                              EventPublisher publisher, VerifyConfiguration config, Clock clock) {
        this.registry = registry;
        this.stores = stores;
        this.publisher = publisher;
        this.config = config;
        this.ledger = new VerifiedLedger(config.fullPass());
        this.clock = clock;
    }

    /** Verifies what is due of {@code instance}; empty when it is not registered. */
    public Optional<VerificationReport> run(InstanceId instance) throws InterruptedException {
        Optional<RegisteredInstance> registered = registry.apply(instance);
        if (registered.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        VerificationReport report = new BucketVerifier(BucketLayout.forSegmentSize(registered.get().walSegmentSize()),
                config.parallelism(), clock)
                .verify(stores.apply(instance), Optional.empty(), Pace.of(config.bytesPerSecond()), o -> ledger.due(instance, o, now));
        ledger.read(instance, report.objects(), now);
        for (VerifiedObject damaged : report.damaged()) {
            if (ledger.firstReport(instance, damaged)) {
                LOG.error("background verifier: {} of {} is damaged: {}", damaged.key(), instance, damaged.detail());
                publisher.publishAndWait(Topics.TIMELINE, instance.value(), CorruptionEvents.of(instance, damaged,
                        report.cutsWindowEnd(damaged), CorruptionEvents.BACKGROUND, clock.instant()));
            }
        }
        report.unreadable().forEach(u -> LOG.warn("background verifier: {} of {} {}", u.key(), instance, u.detail()));
        // Missing WAL and history stay missing pass after pass: said when what is missing changes, not every pass.
        List<String> missing = new ArrayList<>();
        report.holes().forEach(h -> missing.add(h.toString()));
        missing.addAll(report.histories());
        if (!missing.equals(lastMissing.put(instance, missing))) {
            missing.forEach(m -> LOG.warn("background verifier: {}: {}", instance, m));
        }
        if (!report.objects().isEmpty()) {
            LOG.info("background verifier: {}: {} objects ({} bytes) re-read in {}, {} damaged", instance, report.objects().size(),
                    report.bytesRead(), report.took(), report.damaged().size());
        }
        return Optional.of(report);
    }
}
