package io.tideline.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every real-service fixture at once: parameters of type {@link KafkaBroker} and {@link S3Server}
 * get injected. Each server still starts only when a test asks for it.
 */
// TODO add PostgresExtension here once it lands on main.
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith({KafkaExtension.class, S3Extension.class})
public @interface RealServices {
}
