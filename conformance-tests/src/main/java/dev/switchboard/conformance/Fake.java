package dev.switchboard.conformance;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a {@code static} field holding one of the kit's stand-ins ({@link dev.switchboard.conformance.fakes.StandIn}:
 * a vendor fake or S3Proxy) whose life JUnit runs: started before the class's first test, {@linkplain
 * dev.switchboard.conformance.fakes.StandIn#reset() reset} before each test, stopped after the class.
 *
 * <pre>{@code
 * @Fake
 * static final MlflowFake MLFLOW = new MlflowFake();
 * }</pre>
 *
 * <p>The fakes themselves know nothing of JUnit (the hub's sandbox runs them too); this annotation is the kit's
 * bridge. Fields are started in declaration order, superclasses first, and stopped in reverse order. A non-static
 * field is refused with a message, since a stand-in per test would start a server per test.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@ExtendWith(FakeExtension.class)
public @interface Fake {
}
