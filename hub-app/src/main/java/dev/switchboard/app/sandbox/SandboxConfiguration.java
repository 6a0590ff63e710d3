package dev.switchboard.app.sandbox;

import dev.switchboard.core.config.HubConfig;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Runs the {@link Sandbox} when {@code switchboard.sandbox.enabled} is true: before the connections open (they
 * point at it), with its webhooks sent to the hub once the hub listens.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SandboxProperties.class)
@ConditionalOnBooleanProperty("switchboard.sandbox.enabled")
class SandboxConfiguration {

    /** The bean name of the hub's {@code ConnectionRegistry} (its {@code @Bean} method's name). */
    private static final String CONNECTION_REGISTRY = "connectionRegistry";

    @Bean(initMethod = "start", destroyMethod = "stop")
    Sandbox sandbox(SandboxProperties properties, HubConfig config) {
        return new Sandbox(properties, config);
    }

    /**
     * The connections point at the sandbox, so it must listen before they open, and stop only after they closed:
     * the connection registry depends on it. Declared here, so the hub's own configuration knows nothing of the
     * sandbox.
     */
    @Bean
    static BeanFactoryPostProcessor connectionsAfterSandbox() {
        return beanFactory -> {
            if (beanFactory.containsBeanDefinition(CONNECTION_REGISTRY)) {
                BeanDefinition registry = beanFactory.getBeanDefinition(CONNECTION_REGISTRY);
                String[] before = registry.getDependsOn() == null ? new String[0] : registry.getDependsOn();
                String[] after = java.util.Arrays.copyOf(before, before.length + 1);
                after[before.length] = "sandbox";
                registry.setDependsOn(after);
            }
        };
    }

    /** Once the hub listens (its port may be chosen at start), the sandbox's webhooks go to it. */
    @Bean
    ApplicationListener<WebServerInitializedEvent> sandboxWebhooks(Sandbox sandbox) {
        return event -> {
            if (event.getApplicationContext().getServerNamespace() == null) { // the main server, not management's
                sandbox.sendWebhooksTo(URI.create("http://127.0.0.1:" + event.getWebServer().getPort()));
            }
        };
    }

    /** {@code /actuator/info} tells {@code switchboard demo} where the sandbox's tools are (loopback URLs only). */
    @Bean
    InfoContributor sandboxInfo(Sandbox sandbox) {
        return builder -> {
            Map<String, Object> tools = new LinkedHashMap<>();
            sandbox.tools().forEach((type, tool) -> {
                Map<String, String> entry = new LinkedHashMap<>(tool.details());
                entry.put("url", tool.url().toString());
                if (tool.connection() != null) {
                    entry.put("connection", tool.connection());
                }
                tools.put(type, entry);
            });
            builder.withDetail("sandbox", tools);
        };
    }
}
