package dev.switchboard.app.api;

import dev.switchboard.api.RoutesApi;
import dev.switchboard.api.model.Route;
import dev.switchboard.api.model.RoutePage;
import dev.switchboard.api.model.RouteValidation;
import dev.switchboard.core.camel.RouteValidator;
import java.util.Comparator;
import java.util.List;
import org.apache.camel.CamelContext;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class RoutesController implements RoutesApi {

    private final CamelContext camel;
    private final RouteValidator validator;

    RoutesController(CamelContext camel, RouteValidator validator) {
        this.camel = camel;
        this.validator = validator;
    }

    @Override
    public ResponseEntity<RoutePage> listRoutes(String pageToken, Integer size) {
        List<Route> all = camel.getRoutes().stream()
                .sorted(Comparator.comparing(org.apache.camel.Route::getRouteId))
                .map(route -> new Route(route.getRouteId(),
                        String.valueOf(camel.getRouteController().getRouteStatus(route.getRouteId())),
                        route.getEndpoint().getEndpointUri())
                        .source(route.getSourceLocation()))
                .toList();
        Pages.Slice<Route> page = Pages.slice(all, pageToken, size);
        return ResponseEntity.ok(new RoutePage(page.items()).nextPageToken(page.next()));
    }

    @Override
    public ResponseEntity<RouteValidation> validateRoutes(String body) {
        RouteValidator.Result result = validator.validate("submitted", body == null ? "" : body);
        return ResponseEntity.ok(new RouteValidation().valid(result.valid()).problems(result.problems()).routeIds(result.routeIds()));
    }
}
