package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.kafka.InvalidRecordException;
import io.tideline.core.storage.StorageException;
import io.tideline.schemas.RestoreRequested;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restore service's one entry: {@link #handle} answers a {@code RestoreRequested}.
 *
 * <ol>
 *   <li>A restore id the service has answered before (the {@link RestoreLedger} knows them from
 *       {@code tideline.restore-events}) or runs now is ignored: redelivery never makes a second instance.</li>
 *   <li>{@link RestoreValidator} decides from the fleet ({@link FleetView}) and the source BUCKET; a
 *       rejection is published and nothing is provisioned.</li>
 *   <li>The {@link InstancePlatform} must have a host with room for it (else rejected with the reason).</li>
 *   <li>Otherwise {@code RestoreAccepted} is published first (it names the backup, so retention keeps it),
 *       then the {@link RestoreRunner} runs it on a restore thread; the request's offset is committed once
 *       it was accepted, so the listener is never held for the length of a restore.</li>
 * </ol>
 * Restores accepted by a replica that then stopped are the {@link AbandonedRestoreSweep}'s.
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
public final class RestoreIntake {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreIntake.class);

    private final FleetView fleet;
    private final RestoreValidator validator;
    private final RestoreLedger ledger;
    private final RestoreEvents events;
    private final RestoreRunner runner;
    private final Clock clock;
    private final InstancePlatform platform;

    RestoreIntake(FleetView fleet, SourceInventory inventory, TargetFacts facts, RestoreLedger ledger, RestoreEvents events,
                  RestoreRunner runner, Clock clock, InstancePlatform platform) {
        this.platform = platform;
        this.fleet = fleet;
        this.validator = new RestoreValidator(fleet, inventory::of, inventory::damageIn, facts);
        this.ledger = ledger;
        this.events = events;
        this.runner = runner;
        this.clock = clock;
    }

    /**
     * Answers one request: ignored if answered before, else rejected or accepted (and then run).
     *
     * @param key the record key (the source instance)
     * @throws InvalidRecordException when the record can never be answered (no valid restore id)
     */
    public void handle(String key, RestoreRequested event) {
        RestoreRequest request = decode(key, event);
        synchronized (ledger) { // never between the sweep's read of the ledger and its decisions
            if (answeredBefore(request.restoreId())) {
                return;
            }
            long started = System.nanoTime();
            fleet.awaitSource(request.source());
            RestoreValidator.Decision decision = validate(request);
            long validatedMillis = (System.nanoTime() - started) / 1_000_000;
            if (decision instanceof RestoreValidator.Decision.Reject reject) {
                LOG.info("restore {} of {} rejected: {}", request.restoreId(), request.source(), reject.reason());
                events.rejected(request, reject.reason());
                return;
            }
            RestorePlan plan = ((RestoreValidator.Decision.Accept) decision).plan();
            Optional<String> refusal = platform.refusal(plan);
            if (refusal.isPresent()) {
                LOG.info("restore {} of {} rejected: {}", request.restoreId(), request.source(), refusal.get());
                events.rejected(request, refusal.get());
                return;
            }
            accept(plan, validatedMillis);
        }
    }

    private static RestoreRequest decode(String key, RestoreRequested event) {
        try {
            return RestoreRequest.from(key, event);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException("restore request cannot be answered: " + e.getMessage(), e);
        }
    }

    private boolean answeredBefore(RestoreId id) {
        Optional<RestoreLedger.Entry> known = ledger.find(id);
        if (runner.runs(id) || known.isPresent()) {
            LOG.info("restore {} was answered before ({}); ignoring the request delivered again", id,
                    known.map(e -> e.status().name()).orElse("running"));
            return true;
        }
        return false;
    }

    private RestoreValidator.Decision validate(RestoreRequest request) {
        try {
            return validator.validate(request, clock.instant());
        } catch (StorageException e) {
            return new RestoreValidator.Decision.Reject("could not read the backups of " + request.source()
                    + " from its bucket (" + e.getMessage() + "); nothing was provisioned"
                    + (e.isRetriable() ? " — ask again later" : ""),
                    RestoreValidator.FIELD_INSTANCE, RestoreValidator.Kind.UNAVAILABLE);
        }
    }

    /** {@code RestoreAccepted} first, then the run: nothing is made for a restore the log does not know. */
    private void accept(RestorePlan plan, long validatedMillis) {
        RunningRestore run = runner.claim(plan);
        long publishing = System.nanoTime();
        try {
            events.accepted(plan);
        } catch (RuntimeException e) {
            runner.release(plan.restoreId());
            throw e; // nothing was made yet: the listener retries the request
        }
        LOG.info("restore {} accepted: {} to {} from backup {} into new instance {} (asked by {}; validated in {} ms, accepted"
                        + " published in {} ms)", plan.restoreId(), plan.sourceId(), plan.target(), plan.backupEntry().id(),
                plan.newInstance(), plan.requestedBy(), validatedMillis, (System.nanoTime() - publishing) / 1_000_000);
        runner.launch(run);
    }
}
