package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ActionTarget}: declared actions are kebab-case, a known action is performed, the same
 * idempotency key performs it once, its status can be read where the tool can say, and an unknown action or a
 * missing parameter fails as {@link ErrorKind#CONFIGURATION}.
 */
public interface ActionTargetSuite extends ConnectorUnderTest {

    /** A request for one of the target's actions, with every parameter it needs and a fresh idempotency key. */
    ActionTarget.Request sampleAction();

    /** The action target port, or a skip when the connector does not claim one. */
    default ActionTarget actionTarget() {
        assumeCapability(Capability.ACTION_TARGET);
        return connection().actionTarget().orElseThrow(() -> new AssertionError(
                "connector claims ACTION_TARGET but the connection offers no ActionTarget"));
    }

    @Test
    default void actionsAreDeclaredInKebabCase() {
        assertThat(actionTarget().actions()).isNotEmpty()
                .allSatisfy(action -> assertThat(action).matches("[a-z][a-z0-9]*(-[a-z0-9]+)*"));
        assertThat(actionTarget().actions()).contains(sampleAction().action());
    }

    @Test
    default void knownActionIsPerformedAndItsStatusIsReadable() {
        ActionTarget target = actionTarget();
        ActionTarget.Result result = target.perform(sampleAction());
        assertThat(result).isNotNull();
        if (result.started() != null) {
            assertThat(target.status(result.started())).as("status of %s", result.started().key()).isPresent();
        }
    }

    @Test
    default void performingTwiceWithOneKeyStartsOneThing() {
        ActionTarget target = actionTarget();
        ActionTarget.Request request = sampleAction();
        ActionTarget.Result first = target.perform(request);
        ActionTarget.Result retried = target.perform(request);
        assertThat(retried.started()).isEqualTo(first.started());
    }

    @Test
    default void unknownActionFailsAsConfiguration() {
        ActionTarget target = actionTarget();
        ActionTarget.Request sample = sampleAction();
        ActionTarget.Request unknown = new ActionTarget.Request("no-such-action-of-the-kit", sample.parameters(),
                sample.event(), sample.idempotencyKey() + "-unknown");
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> target.perform(unknown));
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("no-such-action-of-the-kit");
    }

    @Test
    default void actionWithoutItsParametersFailsAsConfiguration() {
        ActionTarget target = actionTarget();
        ActionTarget.Request sample = sampleAction();
        org.junit.jupiter.api.Assumptions.assumeFalse(sample.parameters().isEmpty(),
                "the sample action takes no parameters");
        ActionTarget.Request bare = new ActionTarget.Request(sample.action(), Map.of(), sample.event(),
                sample.idempotencyKey() + "-bare");
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> target.perform(bare));
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
    }
}
