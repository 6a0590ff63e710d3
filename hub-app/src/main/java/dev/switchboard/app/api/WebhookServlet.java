package dev.switchboard.app.api;

import dev.switchboard.core.webhook.WebhookIngress;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * {@code POST /webhooks/{connection}}: tools deliver webhooks here. The body is read raw (signatures are over the
 * bytes as sent) by the ingress, never beyond the configured limit; the events are in the inbox before the 202 goes
 * out.
 *
 * <p>A servlet of its own rather than a Spring MVC handler: the hub's busiest path needs no handler lookup, argument
 * resolution or message conversion, and Spring MVC's dispatch around the call cost about a quarter of a webhook
 * thread's CPU in the B1 benchmark. The filters are the same as for every other path (access, body deadline and cap,
 * observation), so nothing is decided differently; only one plain path segment reaches it ({@link AdminAccessFilter}
 * refuses encoded and dot-segment spellings), anything else under {@code /webhooks/} is 404 and any method but POST
 * 405, as problem details.
 */
final class WebhookServlet extends HttpServlet {

    static final String MAPPING = "/webhooks/*";
    private static final String PATTERN = "/webhooks/{connection}";

    private final transient WebhookIngress ingress;

    WebhookServlet(WebhookIngress ingress) {
        this.ingress = ingress;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String pathInfo = request.getPathInfo();
        String connection = pathInfo == null ? "" : pathInfo.substring(1);
        if (connection.isEmpty() || connection.indexOf('/') >= 0) {
            Problems.write(response, HttpServletResponse.SC_NOT_FOUND, "no such path: webhooks are POSTed to "
                    + PATTERN);
            return;
        }
        // The request metrics' uri tag is the pattern, as for mapped handlers, not one time series per name.
        ServerHttpObservationFilter.findObservationContext(request).ifPresent(context ->
                context.setPathPattern(PATTERN));
        if (!"POST".equals(request.getMethod())) {
            response.setHeader(HttpHeaders.ALLOW, "POST");
            Problems.write(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method " + request.getMethod()
                    + " is not supported here: webhooks are POSTed");
            return;
        }
        WebhookIngress.Result result = ingress.receive(connection, headers(request), request.getInputStream(),
                request.getContentLengthLong(), request.getContentType());
        if (result instanceof WebhookIngress.Accepted accepted) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("connection", accepted.connection());
            answer.put("stored", accepted.stored());
            answer.put("duplicates", accepted.duplicates());
            accepted.ignored().ifPresent(reason -> answer.put("ignored", reason));
            Problems.writeJson(response, HttpServletResponse.SC_ACCEPTED, MediaType.APPLICATION_JSON_VALUE, answer);
            return;
        }
        // Written and sent at once: a refusal may come before the body was read, and the sender must have it before
        // the container drains (or waits for) the rest.
        WebhookIngress.Problem problem = (WebhookIngress.Problem) result;
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("type", problem.type());
        detail.put("title", problem.title());
        detail.put("status", problem.status());
        detail.put("detail", problem.detail());
        detail.put("instance", request.getRequestURI());
        detail.put("code", problem.code());
        problem.retryAfter().ifPresent(wait ->
                response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, wait.toSeconds()))));
        Problems.write(response, detail);
    }

    private static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, Collections.list(request.getHeaders(name)));
        }
        return headers;
    }
}
