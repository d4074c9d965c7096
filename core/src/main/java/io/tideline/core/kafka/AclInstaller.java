package io.tideline.core.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the bindings of {@link KafkaAcls} with the admin principal. Idempotent: Kafka keeps one
 * binding per (resource, entry), so creating an existing one again changes nothing. Bindings that are
 * no longer in the table are left (removing grants is an operator's decision, as with topics).
 */
public final class AclInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(AclInstaller.class);

    private final Admin admin;
    private final Duration timeout;

    /** @param admin an admin client of the admin principal (not closed here) */
    public AclInstaller(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    /** Creates every binding of {@code grants}; returns how many bindings were asked for. */
    public int ensure(Collection<KafkaAcls> grants) {
        List<AclBinding> bindings = new ArrayList<>();
        grants.forEach(g -> bindings.addAll(g.bindings()));
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            admin.createAcls(bindings).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            // The controller committed them; a broker applies them when it reads the metadata log. Wait until the
            // broker answers with all of them, so a client started next is not refused for a grant in flight.
            while (!new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get(timeout.toMillis(), TimeUnit.MILLISECONDS))
                    .containsAll(bindings)) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("the broker did not show every created ACL within " + timeout);
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka ACLs", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot create Kafka's ACLs (" + bindings.size() + " bindings): " + cause.getMessage(), cause);
        }
        LOG.info("Kafka ACLs in place for {} ({} bindings)", grants.stream().map(KafkaAcls::principal).distinct().toList(), bindings.size());
        return bindings.size();
    }
}
