package dev.switchboard.app;

import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The hub is healthy only while every route runs: before Camel has started them (so {@code /actuator/health} is
 * not UP while a webhook could be accepted that no route would see yet) and whenever one of them is stopped or
 * failed to start. Details (each route's status) are shown to callers with the admin token only.
 */
@Component("routes")
class RoutesHealthIndicator implements HealthIndicator {

    private final CamelContext camel;

    RoutesHealthIndicator(CamelContext camel) {
        this.camel = camel;
    }

    @Override
    public Health health() {
        if (!camel.isStarted()) {
            return Health.down().withDetail("camel", String.valueOf(camel.getStatus())).build();
        }
        Map<String, String> notRunning = new TreeMap<>();
        for (Route route : camel.getRoutes()) {
            ServiceStatus status = camel.getRouteController().getRouteStatus(route.getRouteId());
            if (status == null || !status.isStarted()) {
                notRunning.put(route.getRouteId(), String.valueOf(status));
            }
        }
        Health.Builder health = notRunning.isEmpty() ? Health.up() : Health.down().withDetail("notRunning", notRunning);
        return health.withDetail("routes", camel.getRoutes().size()).build();
    }
}
