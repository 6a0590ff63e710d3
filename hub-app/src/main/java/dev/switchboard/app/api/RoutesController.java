package dev.switchboard.app.api;

import dev.switchboard.api.RoutesApi;
import dev.switchboard.api.model.Route;
import dev.switchboard.api.model.RoutePage;
import dev.switchboard.api.model.RouteValidation;
import dev.switchboard.core.camel.RouteValidator;
import dev.switchboard.core.store.RouteExecutions;
import dev.switchboard.core.store.Store;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class RoutesController implements RoutesApi {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesController.class);

    private final CamelContext camel;
    private final RouteValidator validator;
    private final RouteExecutions executions;

    RoutesController(CamelContext camel, RouteValidator validator, Store store) {
        this.camel = camel;
        this.validator = validator;
        this.executions = store.executions();
    }

    @Override
    public ResponseEntity<RoutePage> listRoutes(String pageToken, Integer size) {
        Set<String> paused = executions.pausedRoutes();
        List<Route> all = camel.getRoutes().stream()
                .sorted(Comparator.comparing(org.apache.camel.Route::getRouteId))
                .map(route -> route(route, paused))
                .toList();
        Pages.Slice<Route> page = Pages.slice(all, pageToken, size);
        return ResponseEntity.ok(new RoutePage(page.items()).nextPageToken(page.next()));
    }

    @Override
    public ResponseEntity<Route> pauseRoute(String id) {
        return ResponseEntity.ok(setPaused(id, true));
    }

    @Override
    public ResponseEntity<Route> resumeRoute(String id) {
        return ResponseEntity.ok(setPaused(id, false));
    }

    private Route setPaused(String id, boolean paused) {
        org.apache.camel.Route route = camel.getRoute(id);
        if (route == null) {
            throw ApiProblem.notFound("no route with id " + id);
        }
        if (!executions.setPaused(id, paused)) {
            throw new ApiProblem(HttpStatus.CONFLICT, "route " + id + " does not consume switchboard:events; only "
                    + "such routes can be paused");
        }
        LOG.info("Route {} {}", id, paused ? "paused: its executions wait until it is resumed" : "resumed");
        return route(route, executions.pausedRoutes());
    }

    private Route route(org.apache.camel.Route route, Set<String> paused) {
        String id = route.getRouteId();
        boolean consumesEvents = route.getEndpoint().getEndpointUri().startsWith("switchboard://events")
                || route.getEndpoint().getEndpointUri().startsWith("switchboard:events");
        return new Route(id, String.valueOf(camel.getRouteController().getRouteStatus(id)),
                route.getEndpoint().getEndpointUri())
                .source(route.getSourceLocation())
                .paused(paused.contains(id))
                .unfinished(consumesEvents ? executions.unfinished(id) : null);
    }

    @Override
    public ResponseEntity<RouteValidation> validateRoutes(String body) {
        RouteValidator.Result result = validator.validate("submitted", body == null ? "" : body);
        return ResponseEntity.ok(new RouteValidation().valid(result.valid()).problems(result.problems()).routeIds(result.routeIds()));
    }
}
