package dev.switchboard.app.sandbox;

import dev.switchboard.core.config.HubConfig;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Runs the {@link Sandbox} when {@code switchboard.sandbox.enabled} is true. Its tools start on a thread of their own
 * while the context builds the rest of the hub (opening a connection makes no call, so the connections need not wait
 * for them); the hub waits for them before its web server listens, so a hub that answers at all, and therefore a
 * health UP, has its sandbox up. Its webhooks go to the hub once the hub listens.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SandboxProperties.class)
@ConditionalOnBooleanProperty("switchboard.sandbox.enabled")
class SandboxConfiguration {

    /** The bean name of the hub's {@code ConnectionRegistry} (its {@code @Bean} method's name). */
    private static final String CONNECTION_REGISTRY = "connectionRegistry";

    /** How long the hub waits for the sandbox's tools before it gives up starting (S3Proxy has 60 s itself). */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    @Bean(initMethod = "startInBackground", destroyMethod = "stop")
    Sandbox sandbox(SandboxProperties properties, HubConfig config) {
        return new Sandbox(properties, config);
    }

    /**
     * Waits for the sandbox's tools just before the web server starts (and before Camel starts the routes): the last
     * moment before webhooks can arrive or a health probe can answer. A tool that cannot start fails the start-up,
     * as before.
     */
    @Bean
    SmartLifecycle sandboxStarted(Sandbox sandbox) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                sandbox.awaitStarted(START_TIMEOUT);
                running = true;
            }

            @Override
            public void stop() {
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                return WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 1;
            }
        };
    }

    /**
     * The connections point at the sandbox, so it must stop only after they closed: the connection registry depends
     * on it. Declared here, so the hub's own configuration knows nothing of the sandbox.
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
