package io.tideline.core.kafka;

import io.micronaut.configuration.kafka.annotation.KafkaKey;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Requires;
import io.tideline.schemas.BackupCommand;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;

/** A listener in a group the archiver owns ({@code spec.group}), reading backup commands, for {@link KafkaAclIT}. */
@Requires(property = "spec.name", value = "KafkaAclIT")
@KafkaListener(groupId = "${spec.group}", offsetReset = OffsetReset.EARLIEST)
public class AclTestListener {

    private final List<String> commandIds = new CopyOnWriteArrayList<>();

    @Topic(Topics.BACKUP_COMMANDS)
    void receive(@KafkaKey String instanceId, SpecificRecord event) {
        if (event instanceof BackupCommand command) {
            commandIds.add(command.getCommandId());
        }
    }

    List<String> commandIds() {
        return commandIds;
    }
}
