package io.tideline.scheduler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.TopicCreator;
import io.tideline.core.kafka.Topics;
import io.tideline.core.kafka.TopicsConfiguration;
import io.tideline.scheduler.emit.ReplayProgress;
import io.tideline.scheduler.registry.BackupSchedule;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.serde.AvroEventDeserializer;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.KafkaExtension;
import io.tideline.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scheduler service against a real Kafka broker, with a clock the test moves. The topics are
 * Tideline's real ones and shared by every test of the JVM, so each test uses instance ids of its
 * own and looks only at their records.
 */
@ExtendWith(KafkaExtension.class)
class SchedulerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration TICK = Duration.ofMillis(200);
    /** Several ticks: long enough for a duplicate to show up if one were to be sent. */
    private static final Duration QUIET = TICK.multipliedBy(10);

    private final KafkaBroker broker;
    private final EventCodec codec = EventCodec.standard();
    private final String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private final List<ApplicationContext> contexts = new ArrayList<>();
    private EventPublisher publisher;

    SchedulerIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @BeforeAll
    static void topics(KafkaBroker broker) {
        try (Admin admin = broker.adminClient()) {
            new TopicCreator(admin, Duration.ofSeconds(30)).ensure(Topics.specs(TopicsConfiguration.defaults()));
        }
    }

    @BeforeEach
    void publisher() {
        publisher = new EventPublisher(broker.bootstrapServers(), codec);
    }

    @AfterEach
    void stopEverything() {
        contexts.forEach(ApplicationContext::close);
        publisher.close();
    }

    @Test
    void twoReplicasSendOneCommandPerInstancePerDay() {
        MutableClock clock = MutableClock.at("2026-05-10T01:00:00Z");
        // registered after the windows of 9 May: the first daily backup is owed on 10 May
        Instant registeredAt = Instant.parse("2026-05-09T12:00:00Z");
        String a = id("a");
        String b = id("b");
        String c = id("c");
        register(a, 120, registeredAt); // 02:00
        register(b, 150, registeredAt); // 02:30
        register(c, 180, registeredAt); // 03:00

        ApplicationContext one = startScheduler(clock);
        ApplicationContext two = startScheduler(clock);
        awaitReady(one, a, b, c);
        awaitReady(two, a, b, c);

        sleep(QUIET);
        assertEquals(List.of(), commandsFor(a, b, c), "nothing is due before the first window");

        clock.set(Instant.parse("2026-05-10T02:00:00Z"));
        awaitDistinctIds(Set.of(daily(a, "2026-05-10")), a, b, c);

        clock.set(Instant.parse("2026-05-10T03:10:00Z"));
        awaitDistinctIds(Set.of(daily(a, "2026-05-10"), daily(b, "2026-05-10"), daily(c, "2026-05-10")), a, b, c);

        clock.set(Instant.parse("2026-05-11T03:00:00Z")); // UTC rollover, all three windows of the 11th open
        Set<String> expected = Set.of(daily(a, "2026-05-10"), daily(b, "2026-05-10"), daily(c, "2026-05-10"),
                daily(a, "2026-05-11"), daily(b, "2026-05-11"), daily(c, "2026-05-11"));
        awaitDistinctIds(expected, a, b, c);
        sleep(QUIET);

        List<BackupCommand> commands = commandsFor(a, b, c);
        // The archiver takes one backup per command id (its idempotence key), so this set is the
        // backups that will be taken: one per instance and day, whichever replica sent it.
        Set<String> backupsTaken = commands.stream().map(BackupCommand::getCommandId).collect(Collectors.toSet());
        assertEquals(expected, backupsTaken);
        for (BackupCommand command : commands) {
            CommandId.Daily id = CommandId.Daily.parse(command.getCommandId());
            assertEquals(command.getInstanceId(), id.instance().value());
            assertEquals(BackupReason.DAILY, command.getReason());
            assertEquals("scheduler", command.getRequestedBy());
            assertTrue(!command.getOccurredAt().isBefore(Instant.parse("2026-05-10T02:00:00Z")), command.toString());
        }
        // Two replicas may both send the same id in the same instant; never more than once each.
        Map<String, Long> perId = commands.stream().collect(Collectors.groupingBy(BackupCommand::getCommandId, Collectors.counting()));
        perId.forEach((id, count) -> assertTrue(count <= 2, id + " sent " + count + " times by two replicas"));
    }

    @Test
    void aSchedulerStoppedOverItsWindowCatchesUpOnceAfterRestart() {
        MutableClock clock = MutableClock.at("2026-05-10T05:00:00Z");
        String d = id("d");
        register(d, 240, Instant.parse("2026-05-09T12:00:00Z")); // 04:00

        ApplicationContext first = startScheduler(clock);
        awaitReady(first, d);
        awaitDistinctIds(Set.of(daily(d, "2026-05-10")), d);
        stop(first);

        // restarted the same day: today's command is in the topic, so it must not be sent again
        ApplicationContext sameDay = startScheduler(clock);
        awaitReady(sameDay, d);
        sleep(QUIET);
        assertEquals(List.of(daily(d, "2026-05-10")), ids(commandsFor(d)));
        stop(sameDay);

        // down over the window of the 11th, back after it
        clock.set(Instant.parse("2026-05-11T06:00:00Z"));
        ApplicationContext nextDay = startScheduler(clock);
        awaitReady(nextDay, d);
        awaitDistinctIds(Set.of(daily(d, "2026-05-10"), daily(d, "2026-05-11")), d);
        sleep(QUIET);
        assertEquals(List.of(daily(d, "2026-05-10"), daily(d, "2026-05-11")), ids(commandsFor(d)), "each sent exactly once");
        stop(nextDay);

        // down for three windows (12th, 13th, 14th), back before the 15th's: one catch-up, for the 14th
        clock.set(Instant.parse("2026-05-15T01:00:00Z"));
        ApplicationContext afterOutage = startScheduler(clock);
        awaitReady(afterOutage, d);
        awaitDistinctIds(Set.of(daily(d, "2026-05-10"), daily(d, "2026-05-11"), daily(d, "2026-05-14")), d);
        sleep(QUIET);
        assertEquals(List.of(daily(d, "2026-05-10"), daily(d, "2026-05-11"), daily(d, "2026-05-14")), ids(commandsFor(d)));
    }

    @Test
    void aRemovedInstanceGetsNoMoreDailyBackups() {
        MutableClock clock = MutableClock.at("2026-05-10T01:00:00Z");
        String e = id("e");
        register(e, 120, Instant.parse("2026-05-09T12:00:00Z"));
        ApplicationContext scheduler = startScheduler(clock);
        awaitReady(scheduler, e);

        publisher.tombstoneAndWait(Topics.INSTANCES, e);
        await().atMost(WAIT).until(() -> scheduler.getBean(BackupSchedule.class).find(InstanceId.of(e)).isEmpty());
        clock.set(Instant.parse("2026-05-10T02:00:00Z"));
        sleep(QUIET);
        assertEquals(List.of(), commandsFor(e));
    }

    /** Regression: a tick during shutdown used to re-create the bean graph and leak Kafka clients. */
    @Test
    void aStoppedSchedulerLeavesNoKafkaClientRunning() {
        Set<String> before = kafkaThreads();
        ApplicationContext scheduler = startScheduler(MutableClock.at("2026-05-10T01:00:00Z"));
        awaitReady(scheduler);
        assertTrue(kafkaThreads().size() > before.size(), "the scheduler runs its own Kafka clients: " + kafkaThreads());
        sleep(QUIET); // let ticks run, so that one may fall into the shutdown
        stop(scheduler);
        await().atMost(Duration.ofSeconds(15)).until(() -> kafkaThreads().equals(before));
    }

    private static Set<String> kafkaThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("kafka-") || name.equals("instance-registry"))
                .collect(Collectors.toSet());
    }

    private ApplicationContext startScheduler(MutableClock clock) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("kafka.bootstrap.servers", broker.bootstrapServers());
        properties.put("tideline.scheduler.tick", TICK.toMillis() + "ms");
        // metrics export and the HTTP server are not under test
        properties.put("micronaut.server.port", -1);
        ApplicationContext context = ApplicationContext.builder().properties(properties).singletons(clock).start();
        contexts.add(context);
        return context;
    }

    private void stop(ApplicationContext context) {
        context.close();
        contexts.remove(context);
    }

    /** The replica has read the command topic to its end and knows our instances. */
    private static void awaitReady(ApplicationContext context, String... instances) {
        BackupSchedule schedule = context.getBean(BackupSchedule.class);
        ReplayProgress replay = context.getBean(ReplayProgress.class);
        await().atMost(WAIT).until(() -> replay.caughtUp() && !replay.timedOut()
                && Stream.of(instances).allMatch(i -> schedule.find(InstanceId.of(i)).isPresent()));
    }

    private void awaitDistinctIds(Set<String> expected, String... instances) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> ids(commandsFor(instances)).stream().collect(Collectors.toSet()).equals(expected));
    }

    private String id(String suffix) {
        return "sched-" + run + "-" + suffix;
    }

    private static String daily(String instance, String day) {
        return "daily:" + instance + ":" + day;
    }

    private void register(String id, int windowMinute, Instant registeredAt) {
        publisher.publishAndWait(Topics.INSTANCES, id, Registrations.of(id, windowMinute, registeredAt));
    }

    private static List<String> ids(List<BackupCommand> commands) {
        return commands.stream().map(BackupCommand::getCommandId).sorted().toList();
    }

    /** Every command on the topic for these instances, read from the beginning to the current end. */
    private List<BackupCommand> commandsFor(String... instances) {
        Set<String> wanted = Set.of(instances);
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new AvroEventDeserializer(codec))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.BACKUP_COMMANDS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<BackupCommand> found = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(Duration.ofMillis(200))) {
                    if (wanted.contains(record.key()) && record.value() instanceof BackupCommand command) {
                        found.add(command);
                    }
                }
            }
            return found;
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
