package dev.switchboard.core.testing;

import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import java.time.Duration;
import java.util.Optional;

/** A test connection that offers one action target and is always reachable. */
record ActionConnection(String name, String reachable, ActionTarget target) implements Connection {

    @Override
    public CheckResult check(Duration timeout) {
        return CheckResult.ok(reachable, Duration.ZERO);
    }

    @Override
    public Optional<ActionTarget> actionTarget() {
        return Optional.of(target);
    }
}
