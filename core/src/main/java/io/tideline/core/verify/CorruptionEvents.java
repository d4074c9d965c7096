package io.tideline.core.verify;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.Sha256;
import io.tideline.schemas.ObjectCorrupted;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/** The one builder of {@link ObjectCorrupted}. */
public final class CorruptionEvents {

    /** {@code foundBy} of the CLI's {@code tideline verify}. */
    public static final String CLI = "verify";
    /** {@code foundBy} of retention's background verifier. */
    public static final String BACKGROUND = "background-verifier";

    private CorruptionEvents() {
    }

    /**
     * The event for a damaged object. Its id is derived from the damaged version, so the same damage found
     * twice is recognisably the same (consumers key on the version anyway).
     */
    public static ObjectCorrupted of(InstanceId instance, VerifiedObject damaged, boolean cutsWindowEnd, String foundBy, Instant now) {
        if (!damaged.damaged()) {
            throw new IllegalArgumentException(damaged.key() + " is not damaged (" + damaged.outcome() + ")");
        }
        ObjectToVerify o = damaged.object();
        String version = instance.value() + "/" + o.key() + "/" + o.size() + "/" + o.lastModified().toEpochMilli();
        return ObjectCorrupted.newBuilder()
                .setEventId(UUID.nameUUIDFromBytes(version.getBytes(StandardCharsets.UTF_8)))
                .setInstanceId(instance.value())
                .setOccurredAt(now)
                .setKey(o.key())
                .setObjectSize(o.size())
                .setObjectLastModified(o.lastModified())
                .setExpectedSha256(damaged.expected().map(Sha256::hex).orElse(null))
                .setActualSha256(damaged.actual().map(Sha256::hex).orElse(null))
                .setReason(damaged.detail())
                .setCutsWindowEnd(cutsWindowEnd)
                .setFoundBy(foundBy)
                .build();
    }
}
