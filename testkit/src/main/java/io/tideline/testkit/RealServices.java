package io.tideline.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every real-service fixture at once: parameters of type {@link KafkaBroker}, {@link S3Server} and
 * {@link PostgresClusters} get injected. Each server still starts only when a test asks for it.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith({KafkaExtension.class, S3Extension.class, PostgresExtension.class})
public @interface RealServices {
}
