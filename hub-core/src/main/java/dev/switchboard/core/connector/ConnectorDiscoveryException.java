package dev.switchboard.core.connector;

import dev.switchboard.spi.ConfigProblem;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The connectors cannot be assembled: a plugin that cannot be read or declares no connector, or a connector type
 * provided twice. Lists every problem at once, each under the configuration key to look at
 * ({@code plugins.directory}); the hub does not start on any of them.
 */
public class ConnectorDiscoveryException extends IllegalStateException {

    private final List<ConfigProblem> problems;

    public ConnectorDiscoveryException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
