package dev.switchboard.app.cli;

import dev.switchboard.app.SwitchboardProperties;
import dev.switchboard.core.config.HubConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

/** Reads a switchboard.yaml the way the hub does (same binding, same ${ENV} resolution), without starting it. */
final class ConfigFiles {

    private ConfigFiles() {
    }

    static HubConfig read(Path file) {
        StandardEnvironment environment = new StandardEnvironment();
        MutablePropertySources sources = environment.getPropertySources();
        try {
            List<PropertySource<?>> loaded = new YamlPropertySourceLoader().load(file.toString(),
                    new FileSystemResource(file));
            new ArrayList<>(loaded).forEach(sources::addLast);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Binder binder = new Binder(ConfigurationPropertySources.from(sources),
                new PropertySourcesPlaceholdersResolver(environment));
        SwitchboardProperties properties = binder.bind("switchboard", Bindable.of(SwitchboardProperties.class))
                .orElseGet(SwitchboardProperties::new);
        HubConfig config = properties.toHubConfig();
        // Relative route directories are relative to the file, as when the hub is started beside it.
        if (config.routeDirectory() != null && !config.routeDirectory().isAbsolute()) {
            Path base = file.toAbsolutePath().getParent();
            config = new HubConfig(config.connections(), base.resolve(config.routeDirectory()).normalize(),
                    config.webhooks());
        }
        return config;
    }
}
