package io.tideline.core.kafka;

import io.micronaut.context.annotation.Factory;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;

/** The one {@link EventCodec} of a service: the schema store is read once from the classpath. */
@Factory
public class CodecFactory {

    @Singleton
    EventCodec eventCodec() {
        return EventCodec.standard();
    }
}
