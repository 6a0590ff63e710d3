package dev.switchboard.app.api;

import dev.switchboard.api.model.DeadLetterStage;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.webhook.WebhookIngress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.format.FormatterRegistry;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
class ApiConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ApiConfiguration.class);

    /**
     * Query parameters use the document's enum values ({@code stage=delivery}), not the Java constant names; the
     * document is served as a static resource.
     */
    @Bean
    WebMvcConfigurer apiEnumConverters() {
        return new WebMvcConfigurer() {
            @Override
            public void addFormatters(FormatterRegistry registry) {
                registry.addConverter(String.class, DeadLetterStage.class, DeadLetterStage::fromValue);
            }

            /** The API document itself, from the openapi module's jar, for api-docs.html and for client generators. */
            @Override
            public void addResourceHandlers(ResourceHandlerRegistry registry) {
                registry.addResourceHandler("/openapi/**").addResourceLocations("classpath:/openapi/");
            }
        };
    }

    /**
     * Errors Tomcat answers itself, before any filter or handler, are problem details too: after Boot has
     * configured its error report valve (hence the lowest precedence), the host gets {@link ProblemReportValve}
     * in its place. The context gets {@link FramingValve}, which refuses ambiguously framed requests.
     */
    @Bean
    ProblemReportValveInstaller problemReportValve() {
        return new ProblemReportValveInstaller();
    }

    static final class ProblemReportValveInstaller
            implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            // Before any filter: a request whose body could be framed two ways is refused unread.
            factory.addContextValves(new FramingValve());
            factory.addContextCustomizers(context -> {
                StandardHost host = (StandardHost) context.getParent();
                for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve) {
                        host.getPipeline().removeValve(valve);
                    }
                }
                host.setErrorReportValveClass(ProblemReportValve.class.getName());
                host.getPipeline().addValve(new ProblemReportValve());
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    /**
     * The admin token, which every path but the public ones needs ({@link AdminAccessFilter}):
     * {@code switchboard.api.token} when set, else one generated on first start and kept in
     * {@code <data-dir>/admin-token} (readable by its owner only), where the CLI finds it.
     */
    @Bean
    AdminToken adminToken(@Value("${switchboard.api.token:}") String configured,
                          @Value("${switchboard.data-dir:./data}") Path dataDir) {
        return new AdminToken(configured.isBlank() ? tokenFile(dataDir) : configured);
    }

    @Bean
    FilterRegistrationBean<AdminAccessFilter> adminAccessFilter(AdminToken token,
                                                                ObjectProvider<BrowserSessions> sessions) {
        FilterRegistrationBean<AdminAccessFilter> registration =
                new FilterRegistrationBean<>(new AdminAccessFilter(token, sessions.getIfAvailable()));
        // Every path, before any other filter: what is public is decided inside, and everything else needs the token.
        registration.addUrlPatterns("/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /**
     * Request bodies are read within {@code switchboard.webhooks.body-timeout} and their size caps
     * ({@link RequestBodyFilter}), after the access filter has let the request in: a body nobody may send is never
     * read.
     */
    @Bean
    FilterRegistrationBean<RequestBodyFilter> requestBodyFilter(HubConfig config, WebhookIngress ingress) {
        FilterRegistrationBean<RequestBodyFilter> registration = new FilterRegistrationBean<>(new RequestBodyFilter(
                config.webhooks().bodyTimeout(), config.webhooks().maxBodyBytes(), ingress::receivesWebhooks));
        registration.addUrlPatterns("/*");
        registration.setAsyncSupported(true);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
        return registration;
    }

    /** {@code POST /webhooks/{connection}}, beside Spring MVC's dispatcher rather than through it. */
    @Bean
    ServletRegistrationBean<WebhookServlet> webhookServlet(WebhookIngress ingress) {
        ServletRegistrationBean<WebhookServlet> registration =
                new ServletRegistrationBean<>(new WebhookServlet(ingress), WebhookServlet.MAPPING);
        // The body filter hands a body that came in pieces on through an async dispatch.
        registration.setAsyncSupported(true);
        registration.setLoadOnStartup(1);
        return registration;
    }

    private static String tokenFile(Path dataDir) {
        Path file = dataDir.resolve("admin-token");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            Files.createDirectories(dataDir);
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String token = HexFormat.of().formatHex(random);
            Files.writeString(file, token);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the file keeps the directory's permissions
            }
            LOG.info("Generated an admin API token in {} (set switchboard.api.token to choose your own)",
                    file.toAbsolutePath());
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the admin token file " + file, e);
        }
    }
}
