package dev.switchboard.app;

import dev.switchboard.core.trace.Tracing;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Traces, off by default. With {@value #ENDPOINT} set, Boot's OpenTelemetry tracing auto-configuration builds the
 * tracer and the OTLP (HTTP) exporter, and the hub's spans ({@link Tracing}) go through it; without it the tracer is
 * Micrometer's no-op, which Boot's auto-configuration then leaves alone: no span is recorded (the hub's nor the HTTP
 * server's), and no trace context is stored or read.
 */
@Configuration(proxyBeanMethods = false)
class TracingConfiguration {

    static final String ENDPOINT = "management.opentelemetry.tracing.export.otlp.endpoint";

    /** Registered before the auto-configurations, whose tracer is {@code @ConditionalOnMissingBean}. */
    @Bean
    @Conditional(NoOtlpEndpoint.class)
    Tracer noopTracer() {
        return Tracer.NOOP;
    }

    /**
     * Also registered before the auto-configurations: Boot's own propagator sits on the OpenTelemetry SDK, so with
     * it every HTTP request started, sampled and dropped a real span even while the tracer was the no-op one (5 % of
     * the hub's CPU samples in the B1 benchmark on PostgreSQL).
     */
    @Bean
    @Conditional(NoOtlpEndpoint.class)
    Propagator noopPropagator() {
        return Propagator.NOOP;
    }

    @Bean
    Tracing tracing(Tracer tracer, ObjectProvider<Propagator> propagator) {
        return tracer == Tracer.NOOP ? Tracing.OFF : new Tracing(tracer, propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    /** Matches when no OTLP endpoint is configured (absent or blank). */
    static final class NoOtlpEndpoint implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String endpoint = context.getEnvironment().getProperty(ENDPOINT);
            return endpoint == null || endpoint.isBlank();
        }
    }
}
