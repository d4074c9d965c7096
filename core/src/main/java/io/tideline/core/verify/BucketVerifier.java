package io.tideline.core.verify;

import io.tideline.core.ids.BackupId;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.wal.Lsn;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.TimelinePath;
import io.tideline.core.window.WalEntry;
import io.tideline.core.window.WalHole;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * Proves what an instance's bucket can restore by reading it: {@code tideline verify} and retention's
 * background verifier both run this. The steps:
 * <ol>
 *   <li>list the bucket into an inventory (core's {@link BucketInventoryReader});</li>
 *   <li>plan the objects the window needs ({@link VerifyPlan}) and keep those the caller says are due;</li>
 *   <li>re-read each, {@code parallelism} at a time, at the caller's {@link Pace}, comparing the sha256 of the
 *       bytes read with the recorded one ({@link ObjectReader});</li>
 *   <li>check WAL continuity along the timeline history from each kept backup's start to the window's end,
 *       and that every timeline holding data has its history file;</li>
 *   <li>cut the window at what is damaged.</li>
 * </ol>
 * Storage failures while listing propagate (no half verdicts); while reading an object they are reported
 * per object as {@link VerifiedObject.Outcome#UNREADABLE}, never as damage.
 */
public final class BucketVerifier {

    private final BucketLayout layout;
    private final int parallelism;
    private final Clock clock;

    public BucketVerifier(BucketLayout layout, int parallelism, Clock clock) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
        }
        this.layout = layout;
        this.parallelism = parallelism;
        this.clock = clock;
    }

    /** Every object the window needs ({@code only} empty), or those of one backup, all re-read. */
    public VerificationReport verify(ObjectStore store, Optional<BackupId> only, Pace pace) throws InterruptedException {
        return verify(store, only, pace, o -> true);
    }

    /** As {@link #verify(ObjectStore, Optional, Pace)}, re-reading only the objects {@code due} selects. */
    public VerificationReport verify(ObjectStore store, Optional<BackupId> only, Pace pace, Predicate<ObjectToVerify> due)
            throws InterruptedException {
        Instant started = clock.instant();
        BucketInventoryReader.BucketScan scan = new BucketInventoryReader(layout).read(store);
        List<String> problems = new ArrayList<>(scan.problems());
        BucketInventory inventory = scan.inventory();
        List<ObjectToVerify> plan = VerifyPlan.of(store, layout, inventory, only, problems).stream().filter(due).toList();
        List<VerifiedObject> read = readAll(new ObjectReader(store, pace), plan);
        RestorableWindow clean = RestorableWindow.of(inventory);
        VerificationReport partial = new VerificationReport(store.bucket(), started, Duration.ZERO, read, List.of(), List.of(),
                problems, inventory, clean, clean);
        RestorableWindow cut = RestorableWindow.of(inventory, partial.damage());
        List<BackupEntry> kept = only.map(id -> inventory.backups().stream().filter(b -> b.id().equals(id)).toList())
                .orElse(inventory.backups());
        return new VerificationReport(store.bucket(), started, Duration.between(started, clock.instant()), read,
                holes(inventory, cut, kept), missingHistories(inventory), problems, inventory, clean, cut);
    }

    private List<VerifiedObject> readAll(ObjectReader reader, List<ObjectToVerify> plan) throws InterruptedException {
        if (plan.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, plan.size()), r -> {
            Thread t = new Thread(r, "verify-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<VerifiedObject>> futures = new ArrayList<>();
            for (ObjectToVerify o : plan) {
                futures.add(pool.submit(() -> reader.verify(o)));
            }
            List<VerifiedObject> results = new ArrayList<>();
            for (Future<VerifiedObject> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            throw new IllegalStateException("verifying " + plan.size() + " objects failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Holes in the WAL from each kept backup on the history to the end of the newest stored WAL of the
     * newest timeline: the stretch a restore from that backup to {@code latest} replays.
     */
    static List<WalHole> holes(BucketInventory inventory, RestorableWindow cut, List<BackupEntry> kept) {
        TimelinePath path = cut.timelinePath();
        Optional<Lsn> end = inventory.wal().stream().filter(w -> path.span(w.timeline()).isPresent())
                .map(WalEntry::endLsn).max(Comparator.naturalOrder());
        if (end.isEmpty()) {
            return List.of();
        }
        Map<Lsn, WalHole> byStart = new LinkedHashMap<>();
        kept.stream().filter(b -> path.contains(b.timeline(), b.startLsn()))
                .sorted(Comparator.comparing(BackupEntry::startLsn))
                .forEach(b -> cut.holesBetween(b.startLsn(), end.get()).forEach(h -> byStart.putIfAbsent(h.from(), h)));
        return byStart.values().stream().sorted(Comparator.comparing(WalHole::from)).toList();
    }

    /** Timelines above the bucket's first that hold data but have no history file: nothing can follow them. */
    static List<String> missingHistories(BucketInventory inventory) {
        List<Long> timelines = new ArrayList<>(inventory.timelinesWithData());
        if (timelines.isEmpty()) {
            return List.of();
        }
        long first = timelines.get(0);
        return timelines.stream().filter(t -> t > first && inventory.branchOf(t).isEmpty())
                .map(t -> "timeline " + t + " holds data but its history file is missing").toList();
    }
}
