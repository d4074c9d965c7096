import io.tideline.core.kafka.Topics;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.WalSegmentStored;
import io.tideline.schemas.serde.EventCodec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka side of bench/soak-bad-records.sh (compiled by it with javac against the CLI's classpath,
 * not part of the Maven build, never run in CI).
 *
 * <pre>
 *   produce BOOTSTRAP RATE SECONDS OVERSIZE_EVERY OUT   bad records at RATE/s on every consumed topic for SECONDS;
 *                                                       OUT gets "topic kind sent refused" lines (rewritten every 10 s)
 *   sample BOOTSTRAP                                    one sample: "dl ORIGIN_TOPIC COUNT" per origin topic of the
 *                                                       dead letters, "lag GROUP STATE LAG" per consumer group
 * </pre>
 *
 * Bad records never name a real instance: every id in them is a fresh "soak-ghost-..." one, so a
 * consumer that (wrongly) acts on one cannot disturb the instances under the normal workload.
 */
public final class SoakBadRecords {

    /** Every topic a service consumes; the dead-letter topic itself is what we count, so it gets none. */
    static final List<String> TOPICS = Topics.ALL.stream().filter(t -> !t.equals(Topics.DEAD_LETTERS)).toList();

    enum Kind { RANDOM_BYTES, TRUNCATED_AVRO, WRONG_TYPE, NULL_VALUE, WRONG_KEY, NEAR_MAX, ABOVE_MAX }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "produce" -> produce(args[1], Double.parseDouble(args[2]), Long.parseLong(args[3]),
                    Integer.parseInt(args[4]), Path.of(args[5]));
            case "sample" -> sample(args[1]);
            default -> throw new IllegalArgumentException("produce | sample");
        }
    }

    // ---------------------------------------------------------------- produce

    static void produce(String bootstrap, double rate, long seconds, int oversizeEvery, Path out) throws Exception {
        EventCodec codec = EventCodec.standard();
        Random random = new Random();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // above Topics.MAX_RECORD_BYTES on purpose: the broker, not this producer, must refuse the ABOVE_MAX ones
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 * Topics.MAX_RECORD_BYTES));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(64L * 1024 * 1024));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        Map<String, AtomicLong> sent = new TreeMap<>();
        Map<String, AtomicLong> refused = new TreeMap<>();
        for (String t : TOPICS) {
            for (Kind k : Kind.values()) {
                sent.put(t + " " + k, new AtomicLong());
                refused.put(t + " " + k, new AtomicLong());
            }
        }
        long intervalNanos = (long) (1_000_000_000L / rate);
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long lastWrite = start;
        Kind[] small = Arrays.stream(Kind.values()).filter(k -> k != Kind.NEAR_MAX && k != Kind.ABOVE_MAX).toArray(Kind[]::new);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            for (long n = 0; ; n++) {
                long due = start + n * intervalNanos;
                if (due >= end) {
                    break;
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                String topic = TOPICS.get((int) (n % TOPICS.size()));
                Kind kind;
                if (oversizeEvery > 0 && n % oversizeEvery == oversizeEvery - 1) {
                    // the k-th large record: every topic in turn, below then above the limit
                    long k = n / oversizeEvery;
                    topic = TOPICS.get((int) (k % TOPICS.size()));
                    kind = (k / TOPICS.size()) % 2 == 0 ? Kind.NEAR_MAX : Kind.ABOVE_MAX;
                } else {
                    kind = small[random.nextInt(small.length)];
                }
                ProducerRecord<String, byte[]> record = badRecord(topic, kind, codec, random);
                String counter = topic + " " + kind;
                String to = topic;
                producer.send(record, (meta, e) -> {
                    if (e == null) {
                        sent.get(counter).incrementAndGet();
                    } else if (e instanceof RecordTooLargeException) {
                        refused.get(counter).incrementAndGet();
                    } else {
                        System.err.println("send to " + to + " failed: " + e);
                        refused.get(counter).incrementAndGet();
                    }
                });
                if (System.nanoTime() - lastWrite > 10_000_000_000L) {
                    lastWrite = System.nanoTime();
                    writeCounts(out, sent, refused);
                }
            }
            producer.flush();
        }
        writeCounts(out, sent, refused);
    }

    static void writeCounts(Path out, Map<String, AtomicLong> sent, Map<String, AtomicLong> refused) throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(tmp))) {
            sent.forEach((k, v) -> w.println(k + " " + v.get() + " " + refused.get(k).get()));
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static ProducerRecord<String, byte[]> badRecord(String topic, Kind kind, EventCodec codec, Random random) {
        String ghost = ghost(random);
        return switch (kind) {
            case RANDOM_BYTES -> {
                byte[] bytes = new byte[1 + random.nextInt(2000)];
                random.nextBytes(bytes);
                if (random.nextBoolean()) {
                    // the single-object marker, so the decoder gets as far as the fingerprint
                    bytes[0] = (byte) 0xC3;
                    if (bytes.length > 1) {
                        bytes[1] = 0x01;
                    }
                }
                yield new ProducerRecord<>(topic, ghost, bytes);
            }
            case TRUNCATED_AVRO -> {
                byte[] full = codec.encode(rightType(topic, ghost, random));
                // keep the header (a known fingerprint), cut the body short
                int cut = EventCodec.HEADER_LENGTH + random.nextInt(Math.max(1, full.length - EventCodec.HEADER_LENGTH - 1));
                yield new ProducerRecord<>(topic, ghost, Arrays.copyOf(full, cut));
            }
            case WRONG_TYPE -> new ProducerRecord<>(topic, ghost, codec.encode(wrongType(topic, ghost, random)));
            // on tideline.instances a null value is a removal, so there it is bad only by its key
            case NULL_VALUE -> new ProducerRecord<>(topic, topic.equals(Topics.INSTANCES) ? "Not An Id/" + random.nextInt(1000) : ghost, null);
            case WRONG_KEY -> {
                byte[] value = codec.encode(rightType(topic, ghost, random));
                String key = switch (random.nextInt(3)) {
                    case 0 -> ghost(random);                     // another instance's id
                    case 1 -> "../" + UUID.randomUUID() + " \u0000"; // not an instance id at all
                    // no key, except on the compacted tideline.instances, whose broker refuses that itself
                    default -> topic.equals(Topics.INSTANCES) ? "" : null;
                };
                yield new ProducerRecord<>(topic, key, value);
            }
            case NEAR_MAX -> new ProducerRecord<>(topic, ghost, randomBytes(random, Topics.MAX_RECORD_BYTES - 512));
            case ABOVE_MAX -> new ProducerRecord<>(topic, ghost, randomBytes(random, Topics.MAX_RECORD_BYTES + 1 + random.nextInt(64 * 1024)));
        };
    }

    static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    static String ghost(Random random) {
        return "soak-ghost-" + Integer.toString(random.nextInt(1 << 30), 36);
    }

    /** A valid event of a type {@code topic} carries, about the ghost instance {@code id}. */
    static SpecificRecord rightType(String topic, String id, Random random) {
        return switch (topic) {
            case Topics.INSTANCES -> instanceRegistered(id);
            case Topics.BACKUP_COMMANDS -> backupCommand(id);
            case Topics.TIMELINE -> random.nextBoolean() ? walSegmentStored(id) : backupCompleted(id);
            case Topics.RESTORE_REQUESTS -> restoreRequested(id);
            case Topics.RESTORE_EVENTS -> restoreFailed(id);
            default -> throw new IllegalArgumentException(topic);
        };
    }

    /** A valid event of a type {@code topic} does not carry. */
    static SpecificRecord wrongType(String topic, String id, Random random) {
        List<SpecificRecord> candidates = new ArrayList<>(List.of(instanceRegistered(id), backupCommand(id),
                walSegmentStored(id), restoreRequested(id), restoreFailed(id)));
        candidates.removeIf(e -> Topics.eventTypes(topic).contains(e.getClass()));
        return candidates.get(random.nextInt(candidates.size()));
    }

    static final Instant T0 = Instant.parse("2026-11-05T10:15:30.123Z");

    static InstanceRegistered instanceRegistered(String id) {
        return InstanceRegistered.newBuilder()
                .setEventId(UUID.randomUUID()).setInstanceId(id).setOccurredAt(Instant.now())
                .setName(id).setHost("127.0.0.1").setPort(9).setDatabase("postgres")
                .setSuperuser("postgres").setSuperuserSecretRef("instances/" + id + "/postgres")
                .setReplicationUser("tideline_replication").setReplicationSecretRef("instances/" + id + "/replication")
                .setBucket("tideline-" + id).setS3AccessKeyRef("instances/" + id + "/s3-access-key")
                .setS3SecretKeyRef("instances/" + id + "/s3-secret-key")
                .setPostgresVersion(15).setWalSegmentSize(16L * 1024 * 1024)
                .setBackupWindowStartMinuteUtc(120).setRetentionDays(null).setRestoredFrom(null)
                .setRegisteredAt(T0)
                .build();
    }

    static BackupCommand backupCommand(String id) {
        return BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id).setOccurredAt(Instant.now())
                .setCommandId("soak:" + UUID.randomUUID()).setReason(BackupReason.ON_DEMAND).setRequestedBy("soak")
                .setRequestedAt(Instant.now()).build();
    }

    static BackupCompleted backupCompleted(String id) {
        return BackupCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id).setOccurredAt(Instant.now())
                .setBackupId("20261105T101530Z").setCommandId("soak:" + UUID.randomUUID()).setTimeline(1)
                .setStartLsn("0/3000028").setEndLsn("0/3000138").setStartedAt(T0).setFinishedAt(T0.plusSeconds(42))
                .setBytesRaw(40_000_000L).setBytesStored(6_500_000L)
                .setManifestKey("basebackups/20261105T101530Z/manifest.json").build();
    }

    static WalSegmentStored walSegmentStored(String id) {
        return WalSegmentStored.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id).setOccurredAt(Instant.now())
                .setTimeline(1).setSegment("000000010000000000000003").setStartLsn("0/3000000").setEndLsn("0/4000000")
                .setBytes(16L * 1024 * 1024).setStoredBytes(1_234_567L)
                .setSha256("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                .setObjectKey("wal/00000001/000000010000000000000003.zst").setStoredAt(Instant.now()).setPartial(false).build();
    }

    static RestoreRequested restoreRequested(String id) {
        return RestoreRequested.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id).setOccurredAt(Instant.now())
                .setRestoreId("soak-" + UUID.randomUUID()).setTarget("latest").setNewName(null).setRequestedBy("soak").build();
    }

    static RestoreFailed restoreFailed(String id) {
        return RestoreFailed.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id).setOccurredAt(Instant.now())
                .setRestoreId("soak-" + UUID.randomUUID()).setReason("soak").setNewInstanceId(null).build();
    }

    // ---------------------------------------------------------------- sample

    static void sample(String bootstrap) throws Exception {
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        try (Admin admin = Admin.create(a)) {
            deadLetters(bootstrap, admin);
            lags(admin);
        }
    }

    static void deadLetters(String bootstrap, Admin admin) throws Exception {
        EventCodec codec = EventCodec.standard();
        List<TopicPartition> partitions = admin.describeTopics(List.of(Topics.DEAD_LETTERS)).allTopicNames().get()
                .get(Topics.DEAD_LETTERS).partitions().stream()
                .map(info -> new TopicPartition(Topics.DEAD_LETTERS, info.partition())).toList();
        Map<TopicPartition, Long> ends = endOffsets(admin, partitions);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 * Topics.MAX_RECORD_BYTES));
        Map<String, Long> byOrigin = new TreeMap<>();
        TOPICS.forEach(t -> byOrigin.put(t, 0L));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c)) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    String origin;
                    try {
                        origin = ((DeadLetter) codec.decode(r.value())).getTopic();
                    } catch (RuntimeException e) {
                        origin = "(undecodable)";
                    }
                    byOrigin.merge(origin, 1L, Long::sum);
                }
            }
        }
        byOrigin.forEach((t, n) -> System.out.println("dl " + t + " " + n));
    }

    /** Lag per consumer group: end offsets minus committed offsets, over the partitions it committed. */
    static void lags(Admin admin) throws Exception {
        List<String> groups = admin.listConsumerGroups().all().get().stream().map(ConsumerGroupListing::groupId).sorted().toList();
        Map<String, ConsumerGroupDescription> descriptions = admin.describeConsumerGroups(groups).all().get();
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            committed.values().removeIf(v -> v == null);
            long lag = 0;
            if (!committed.isEmpty()) {
                Map<TopicPartition, Long> ends = endOffsets(admin, committed.keySet());
                for (var e : committed.entrySet()) {
                    lag += Math.max(0, ends.get(e.getKey()) - e.getValue().offset());
                }
            }
            String topics = committed.keySet().stream().map(TopicPartition::topic).distinct().sorted().collect(Collectors.joining(","));
            System.out.println("lag " + group + " " + descriptions.get(group).state() + " " + (committed.isEmpty() ? -1 : lag)
                    + " " + (topics.isEmpty() ? "-" : topics));
        }
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin, java.util.Collection<TopicPartition> partitions)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
        partitions.forEach(tp -> spec.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(spec).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private SoakBadRecords() {
    }
}
