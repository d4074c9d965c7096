package io.tideline.archiver.wal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

/**
 * Sees every listing request any S3 client of a test JVM sends (registered for all clients through the
 * SDK's {@code software/amazon/awssdk/global/handlers/execution.interceptors} on the test classpath), so a
 * test can count what the archiver asked the bucket. Static because the SDK makes the instance itself;
 * test code only.
 */
public final class ListingCounter implements ExecutionInterceptor {

    /** One listing request (a page of a paginated listing counts once). */
    record Listing(String bucket, String prefix, String startAfter) {
    }

    private static final List<Listing> LISTINGS = new CopyOnWriteArrayList<>();
    private static final java.util.Map<String, java.util.concurrent.atomic.LongAdder> BY_VERB = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.Map<String, java.util.concurrent.atomic.LongAdder> BY_KIND = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String verb = context.request().getClass().getSimpleName().replace("Request", "");
        BY_VERB.computeIfAbsent(verb, v -> new java.util.concurrent.atomic.LongAdder()).increment();
        String kind = context.request().getValueForField("Key", String.class).map(ListingCounter::kind).orElse("");
        BY_KIND.computeIfAbsent(kind.isEmpty() ? verb : verb + " " + kind, v -> new java.util.concurrent.atomic.LongAdder()).increment();
        if (context.request() instanceof ListObjectsV2Request r) {
            if (LISTINGS.size() < 100_000) { // the fleet bench sends many; tests need few
                LISTINGS.add(new Listing(r.bucket(), r.prefix(), r.startAfter()));
            }
        }
    }

    /** Requests sent so far by every client of this JVM, by operation (PutObject, ListObjectsV2, ...). */
    static java.util.Map<String, Long> byVerb() {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        BY_VERB.forEach((verb, n) -> counts.put(verb, n.sum()));
        return counts;
    }

    /** Requests sent so far by operation and kind of object ({@code PutObject wal/*.partial}, {@code PutObject changes/*}, ...). */
    static java.util.Map<String, Long> byKind() {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        BY_KIND.forEach((kind, n) -> counts.put(kind, n.sum()));
        return counts;
    }

    /** The kind of an object key: its first folder, and whether it is a partial (what the fleet bench tells apart). */
    static String kind(String key) {
        int slash = key.indexOf('/');
        String folder = slash < 0 ? "(top)" : key.substring(0, slash);
        return folder + "/*" + (key.contains(".partial") ? ".partial" : "");
    }

    static List<Listing> of(String bucket) {
        return LISTINGS.stream().filter(l -> l.bucket().equals(bucket)).toList();
    }
}
