package dev.switchboard.app.cli;

import dev.switchboard.core.camel.RouteFiles;
import dev.switchboard.core.camel.RouteValidator;
import dev.switchboard.core.config.ConfigValidator;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.spi.ConfigProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "validate", description = "Check a configuration and its route files, listing every problem. "
        + "Exit code 0 when valid, 1 when not.")
final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, defaultValue = "switchboard.yaml", description = "The configuration file "
            + "(default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        if (!Files.isRegularFile(config)) {
            out.println(config + ": no such file");
            return 1;
        }
        HubConfig hubConfig = ConfigFiles.read(config);
        ConnectorRegistry connectors = ConnectorRegistry.discover(Thread.currentThread().getContextClassLoader());
        List<String> problems = new ArrayList<>();
        for (ConfigProblem problem : new ConfigValidator(connectors).validate(hubConfig)) {
            problems.add(config + ": " + problem);
        }
        int routeFiles = 0;
        if (problems.isEmpty() && hubConfig.routeDirectory() != null) {
            try (ConnectionRegistry connections = ConnectionRegistry.open(hubConfig, connectors, Clock.systemUTC())) {
                RouteValidator validator = new RouteValidator(connections);
                for (Path file : RouteFiles.list(hubConfig.routeDirectory())) {
                    routeFiles++;
                    RouteValidator.Result result = validator.validate(file.getFileName().toString(), readString(file));
                    result.problems().forEach(problem -> problems.add(file + ": " + problem));
                }
            }
        }
        if (problems.isEmpty()) {
            out.printf("%s is valid: %d connection(s), %d route file(s)%n", config,
                    hubConfig.connections().size(), routeFiles);
            return 0;
        }
        out.printf("%s has %d problem(s):%n", config, problems.size());
        problems.forEach(problem -> out.println("  - " + problem));
        return 1;
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
