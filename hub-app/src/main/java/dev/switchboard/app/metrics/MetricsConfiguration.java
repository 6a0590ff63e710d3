package dev.switchboard.app.metrics;

import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.delivery.DeliveryEngine;
import dev.switchboard.core.poll.PollScheduler;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.sync.SyncService;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Binds {@link OperatorMetrics} once every bean it reads from exists. */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    SmartInitializingSingleton operatorMetrics(MeterRegistry meters, Store store, ConnectionRegistry connections,
                                               DeliveryEngine engine, SyncService sync, PollScheduler pollers,
                                               Clock clock) {
        return () -> OperatorMetrics.bind(meters, store, connections, engine, sync, pollers, clock);
    }
}
