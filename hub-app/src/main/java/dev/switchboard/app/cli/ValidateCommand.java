package dev.switchboard.app.cli;

import dev.switchboard.app.ConfigFiles;
import dev.switchboard.core.camel.RouteFiles;
import dev.switchboard.core.camel.RouteValidator;
import dev.switchboard.core.config.ConfigValidator;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorDiscoveryException;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.spi.ConfigProblem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a configuration and its route files, listing every problem. "
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
        ConfigFiles.Loaded loaded = ConfigFiles.read(config);
        HubConfig hubConfig = loaded.config();
        List<ConfigProblem> configProblems = new ArrayList<>(loaded.problems());
        ConnectorRegistry connectors;
        try {
            connectors = ConnectorRegistry.discover(Thread.currentThread().getContextClassLoader(),
                    loaded.pluginsDirectory());
        } catch (ConnectorDiscoveryException e) {
            // Without every connector type known, each connection of a missing one would be "unknown type" too.
            configProblems.addAll(e.problems());
            return report(out, List.of(), configProblems.stream().map(problem -> config + ": " + problem).toList(),
                    hubConfig, 0);
        }
        try (connectors) {
            configProblems.addAll(new ConfigValidator(connectors).validate(hubConfig));
            List<String> problems = new ArrayList<>();
            configProblems.forEach(problem -> problems.add(config + ": " + problem));
            int routeFiles = 0;
            if (hubConfig.routeDirectory() != null && Files.isDirectory(hubConfig.routeDirectory())) {
                // Routes are checked even when connections have problems, against the connections that have none.
                try (ConnectionRegistry connections = ConnectionRegistry.open(usable(hubConfig, configProblems),
                        connectors, Clock.systemUTC())) {
                    routeFiles = RouteFiles.list(hubConfig.routeDirectory()).size();
                    problems.addAll(new RouteValidator(connections).validateDirectory(hubConfig.routeDirectory()));
                }
            }
            return report(out, origins(hubConfig, connectors), problems, hubConfig, routeFiles);
        }
    }

    private int report(PrintWriter out, List<String> origins, List<String> problems, HubConfig hubConfig,
                       int routeFiles) {
        if (problems.isEmpty()) {
            out.printf("%s is valid: %d connection(s), %d route file(s)%n", config,
                    hubConfig.connections().size(), routeFiles);
        } else {
            out.printf("%s has %d problem(s):%n", config, problems.size());
            problems.forEach(problem -> out.println("  - " + problem));
        }
        if (!origins.isEmpty()) {
            out.println("connector types:");
            origins.forEach(origin -> out.println("  " + origin));
        }
        return problems.isEmpty() ? 0 : 1;
    }

    /**
     * Where each connector type the configuration uses, and each type a plugin provides, came from: an author
     * checking that the hub picked up their plugin (and not a stale built-in) reads it here.
     */
    private static List<String> origins(HubConfig config, ConnectorRegistry connectors) {
        Set<String> types = new TreeSet<>();
        config.connections().values().stream().map(HubConfig.ConnectionSpec::type).filter(type -> type != null)
                .forEach(types::add);
        connectors.plugins().forEach(plugin -> plugin.connectors().forEach(connector -> types.add(connector.type())));
        List<String> lines = new ArrayList<>();
        for (String type : types) {
            connectors.origin(type).ifPresent(origin -> lines.add(type + " " + connectors.find(type).orElseThrow()
                    .version() + ": " + origin.describe()));
        }
        return lines;
    }

    /** The configuration without the connections that have problems of their own. */
    private static HubConfig usable(HubConfig config, List<ConfigProblem> problems) {
        Map<String, HubConfig.ConnectionSpec> connections = new LinkedHashMap<>(config.connections());
        connections.keySet().removeIf(name -> problems.stream()
                .anyMatch(problem -> problem.path().startsWith("connections." + name)));
        return new HubConfig(connections, config.routeDirectory(), config.webhooks());
    }
}
