package io.tideline.archiver.wal;

import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.wal.Lsn;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * WAL that can no longer be streamed: from {@code missingFrom} (the first byte the bucket lacks) to
 * {@code availableFrom} (where the server still has WAL, where streaming goes on).
 * Its identity is (instance, timeline, missingFrom), so detecting the same gap again — after a
 * restart, before anything past it was stored — yields the same event id and the same backup
 * command id, and consumers see it once.
 */
record WalGap(InstanceId instance, long timeline, Lsn missingFrom, Lsn availableFrom, String reason) {

    WalGap {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(missingFrom, "missingFrom");
        Objects.requireNonNull(availableFrom, "availableFrom");
        Objects.requireNonNull(reason, "reason");
        if (!availableFrom.isAfter(missingFrom)) {
            throw new IllegalArgumentException("a gap ends after it starts: " + missingFrom + " .. " + availableFrom);
        }
    }

    /** The backup command asked for this gap; its text {@code wal-gap:<instance>:<timeline>:<missing-from>} is the natural key. */
    CommandId.AfterWalGap commandId() {
        return CommandId.afterWalGap(instance, timeline, missingFrom);
    }

    /** The natural key: the text of {@link #commandId()}. */
    String id() {
        return commandId().value();
    }

    UUID eventId() {
        return UUID.nameUUIDFromBytes(("WalGapDetected:" + id()).getBytes(StandardCharsets.UTF_8));
    }

    UUID commandEventId() {
        return UUID.nameUUIDFromBytes(("BackupCommand:" + id()).getBytes(StandardCharsets.UTF_8));
    }
}
