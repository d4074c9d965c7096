package io.tideline.core.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads, with one admin client and a deadline per call, how many members each group has, where it
 * committed and where those partitions end.
 */
public final class ConsumerGroupProbe {

    /** The broker did not answer (in time, or at all): no stall can be told from this. */
    public static final class BrokerUnreachable extends RuntimeException {
        BrokerUnreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Admin admin;
    private final Duration timeout;

    /** @param admin not closed by this class */
    public ConsumerGroupProbe(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    public List<GroupOffsets> look(Collection<String> groups) {
        Map<String, ConsumerGroupDescription> described = await(admin.describeConsumerGroups(groups).all(), "describe groups " + groups);
        Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
        Map<TopicPartition, OffsetSpec> wanted = new HashMap<>();
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> offsets = await(
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(), "committed offsets of " + group);
            Map<TopicPartition, Long> byPartition = new HashMap<>();
            offsets.forEach((partition, offset) -> {
                if (offset != null) {
                    byPartition.put(partition, offset.offset());
                    wanted.put(partition, OffsetSpec.latest());
                }
            });
            committed.put(group, byPartition);
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        if (!wanted.isEmpty()) {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = await(admin.listOffsets(wanted).all(), "end offsets");
            ends.forEach((partition, info) -> end.put(partition, info.offset()));
        }
        List<GroupOffsets> looks = new ArrayList<>();
        for (String group : groups) {
            ConsumerGroupDescription description = described.get(group);
            int members = description == null ? 0 : description.members().size();
            Map<TopicPartition, Long> ofGroup = new HashMap<>();
            committed.get(group).keySet().forEach(p -> ofGroup.put(p, end.get(p)));
            ofGroup.values().removeIf(v -> v == null);
            looks.add(new GroupOffsets(group, members, committed.get(group), ofGroup));
        }
        return looks;
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new BrokerUnreachable(what + ": no answer within " + timeout, e);
        } catch (ExecutionException e) {
            throw new BrokerUnreachable(what + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnreachable(what + ": interrupted", e);
        }
    }
}
