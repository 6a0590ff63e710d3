package dev.switchboard.app.sandbox;

import dev.switchboard.app.SwitchboardProperties;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Runs the {@link Sandbox} when {@code switchboard.sandbox.enabled} is true. The connection registry asks for the
 * sandbox bean before it opens connections (see {@code HubConfiguration}), so the tools listen before the hub
 * talks to them; the sandbox stops after the connections closed.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SandboxProperties.class)
@ConditionalOnBooleanProperty("switchboard.sandbox.enabled")
class SandboxConfiguration {

    @Bean(initMethod = "start", destroyMethod = "stop")
    Sandbox sandbox(SandboxProperties properties, SwitchboardProperties switchboard) {
        return new Sandbox(properties, switchboard);
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
