package dev.switchboard.app;

import dev.switchboard.core.config.ConfigValidator;
import dev.switchboard.core.config.InvalidConfigurationException;
import dev.switchboard.core.connector.ConnectorDiscoveryException;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.spi.ConfigProblem;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.core.Ordered;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * Runs {@link ConfigCheck} once the configuration files are read and before anything binds them, so a hub started
 * on a file with a misspelled key or a value of the wrong type stops with every such problem listed (by
 * {@link InvalidConfigurationFailureAnalyzer}), as {@code switchboard validate} lists them.
 */
class ConfigCheckPostProcessor implements EnvironmentPostProcessor, Ordered {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        List<PropertySource<?>> files = environment.getPropertySources().stream()
                .filter(source -> source instanceof OriginTrackedMapPropertySource
                        || source instanceof CommandLinePropertySource)
                .toList();
        ConfigCheck.Result checked = ConfigCheck.check(ConfigurationPropertySources.get(environment),
                ConfigurationPropertySources.from(files), new PropertySourcesPlaceholdersResolver(environment));
        List<ConfigProblem> problems = new ArrayList<>(checked.problems());
        // The plugins, connections and sync jobs too, so that start-up lists what `switchboard validate` lists, all
        // at once. Connections are checked only once every connector type is known, or each would be "unknown".
        try (ConnectorRegistry connectors = ConnectorRegistry.discover(application.getClassLoader(),
                checked.properties().getPlugins().getDirectory())) {
            problems.addAll(new ConfigValidator(connectors).validate(checked.properties().toHubConfig()));
        } catch (ConnectorDiscoveryException e) {
            problems.addAll(e.problems());
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
    }

    /** After Boot has read the configuration files. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
