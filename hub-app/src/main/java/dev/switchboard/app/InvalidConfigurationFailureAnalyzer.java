package dev.switchboard.app;

import dev.switchboard.core.config.InvalidConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a rejected {@code switchboard.yaml} into a start-up report that lists every problem, and only that. */
class InvalidConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidConfigurationException cause) {
        return new FailureAnalysis(cause.getMessage(), cause instanceof DataDirLock.HeldException
                ? "Stop the other hub, or start this one with another --switchboard.data-dir."
                : "Fix each problem above in switchboard.yaml (or the environment variables it refers to) and start again.",
                cause);
    }
}
