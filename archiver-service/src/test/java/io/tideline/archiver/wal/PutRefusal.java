package io.tideline.archiver.wal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Makes the real S3 server's PUTs of one object fail for a test, every S3 client of the test JVM (registered
 * as {@link ListingCounter} is, through the SDK's global {@code execution.interceptors}): the store refusing
 * one segment while it takes the next. The first refused attempt is held until a second object was stored,
 * so a test knows that object went in while the first was still being tried. Static because the SDK makes
 * the instance itself; test code only; inert until {@link #refuse} is called.
 */
public final class PutRefusal implements ExecutionInterceptor {

    private record Rule(String bucket, String refused, String storedFirst, CountDownLatch stored, AtomicInteger refusals) {
    }

    private static volatile Rule rule;

    /** Refuses every PUT of {@code refused} in {@code bucket}, the first only once {@code storedFirst} was stored (or after 60 s). */
    static void refuse(String bucket, String refused, String storedFirst) {
        rule = new Rule(bucket, refused, storedFirst, new CountDownLatch(1), new AtomicInteger());
    }

    /** PUTs of the refused object go through again. */
    static void allow() {
        rule = null;
    }

    /** How many PUTs the current rule refused. */
    static int refusals() {
        Rule r = rule;
        return r == null ? 0 : r.refusals().get();
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        Rule r = rule;
        if (r != null && context.request() instanceof PutObjectRequest put && put.bucket().equals(r.bucket())
                && put.key().equals(r.refused())) {
            if (r.refusals().get() == 0) {
                try {
                    r.stored().await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            r.refusals().incrementAndGet();
            throw SdkClientException.create("refused by the test: " + put.key());
        }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Rule r = rule;
        if (r != null && context.request() instanceof PutObjectRequest put && put.bucket().equals(r.bucket())
                && put.key().equals(r.storedFirst())) {
            r.stored().countDown();
        }
    }
}
