package dev.switchboard.app;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.spi.ConfigProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

/**
 * Reads a switchboard.yaml the way the hub does (same binding, same ${ENV} resolution), without starting it: for
 * {@code switchboard validate}, and for a running hub that reloads its sync jobs.
 */
public final class ConfigFiles {

    private ConfigFiles() {
    }

    /**
     * What was read.
     *
     * @param config   the configuration, with every value that could not be bound left at its default
     * @param problems unknown keys and values of the wrong type ({@link ConfigCheck}); the hub refuses to start on
     *                 any of them
     * @param pluginsDirectory the plugins folder, relative to the file's folder unless absolute
     */
    public record Loaded(HubConfig config, List<ConfigProblem> problems, Path pluginsDirectory) {
    }

    public static Loaded read(Path file) {
        StandardEnvironment environment = new StandardEnvironment();
        MutablePropertySources sources = environment.getPropertySources();
        List<PropertySource<?>> loaded;
        try {
            loaded = new YamlPropertySourceLoader().load(file.toString(), new FileSystemResource(file));
            new ArrayList<>(loaded).forEach(sources::addLast);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        // Bound from everything (${ENV} references resolve), but only the file's own keys can be unknown.
        ConfigCheck.Result checked = ConfigCheck.check(ConfigurationPropertySources.from(sources),
                ConfigurationPropertySources.from(loaded), new PropertySourcesPlaceholdersResolver(environment));
        HubConfig config = checked.properties().toHubConfig();
        // Relative route and plugin directories are relative to the file, as when the hub is started beside it.
        if (config.routeDirectory() != null && !config.routeDirectory().isAbsolute()) {
            Path base = file.toAbsolutePath().getParent();
            config = new HubConfig(config.connections(), base.resolve(config.routeDirectory()).normalize(),
                    config.webhooks(), config.syncJobs());
        }
        Path plugins = checked.properties().getPlugins().getDirectory();
        if (plugins != null && !plugins.isAbsolute()) {
            plugins = file.toAbsolutePath().getParent().resolve(plugins).normalize();
        }
        return new Loaded(config, checked.problems(), plugins);
    }
}
