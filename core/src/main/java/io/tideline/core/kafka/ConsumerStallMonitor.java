package io.tideline.core.kafka;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.TaskScheduler;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at this service's consumer groups every {@code check-every} from the broker's side and keeps
 * the last answer, so that {@code /health} never waits on the broker. Sees what
 * {@link ConsumerProgress} cannot: a listener whose poll loop ended (Micronaut closes it without a
 * word), or one that is alive but does not get on.
 */
@Singleton
public class ConsumerStallMonitor implements ApplicationEventListener<StartupEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerStallMonitor.class);

    /** The last look: the stalls found, or why there was no look. */
    public record Check(Instant at, List<ConsumerStalls.Stall> stalls, Optional<String> unreachable) {
    }

    private final ListenerGroups listeners;
    private final ConsumerHealthSettings settings;
    private final TaskScheduler scheduler;
    private final KafkaConnection connection;
    private final Clock clock;
    private final ConsumerStalls stalls;
    private volatile Check last;
    private volatile Admin admin;
    private volatile ScheduledFuture<?> task;

    public ConsumerStallMonitor(ListenerGroups listeners, ConsumerHealthSettings settings,
            @Named(TaskExecutors.SCHEDULED) TaskScheduler scheduler,
            KafkaClients kafka, Optional<Clock> clock) {
        this.listeners = listeners;
        this.settings = settings;
        this.scheduler = scheduler;
        this.connection = kafka.processConnection();
        this.clock = clock.orElse(Clock.systemUTC());
        this.stalls = new ConsumerStalls(settings.stallAfter(), this.clock);
    }

    @Override
    public void onApplicationEvent(StartupEvent event) {
        if (!listeners.groups().isEmpty()) {
            task = scheduler.scheduleWithFixedDelay(settings.checkEvery(), settings.checkEvery(), this::check);
        }
    }

    /** The last look, if one was taken. */
    public Optional<Check> last() {
        return Optional.ofNullable(last);
    }

    /** Takes one look now (the schedule calls this; so may a test). */
    public synchronized Check check() {
        Set<String> groups = listeners.groups();
        Check check;
        try {
            List<GroupOffsets> looks = new ConsumerGroupProbe(admin(), settings.adminTimeout()).look(groups);
            check = new Check(clock.instant(), stalls.observe(looks), Optional.empty());
        } catch (ConsumerGroupProbe.BrokerUnreachable e) {
            check = new Check(clock.instant(), List.of(), Optional.of(e.getMessage()));
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: keep looking
            LOG.warn("consumer groups {} not checked", groups, e);
            check = new Check(clock.instant(), List.of(), Optional.of(e.toString()));
        }
        last = check;
        return check;
    }

    private Admin admin() {
        if (admin == null) {
            int timeoutMs = (int) settings.adminTimeout().toMillis();
            Map<String, Object> config = connection.config();
            config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
            admin = Admin.create(config);
        }
        return admin;
    }

    @PreDestroy
    void close() {
        if (task != null) {
            task.cancel(false);
        }
        if (admin != null) {
            admin.close(settings.adminTimeout());
        }
    }
}
