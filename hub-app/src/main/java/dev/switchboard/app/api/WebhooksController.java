package dev.switchboard.app.api;

import dev.switchboard.core.webhook.WebhookIngress;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /webhooks/{connection}}: tools deliver webhooks here. The body is read raw (signatures are over the
 * bytes as sent) by the ingress, never beyond the configured limit; the events are in the inbox before the 202 goes out.
 */
@RestController
class WebhooksController {

    private final WebhookIngress ingress;

    WebhooksController(WebhookIngress ingress) {
        this.ingress = ingress;
    }

    @PostMapping("/webhooks/{connection}")
    void receive(@PathVariable String connection, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
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
        // Written and sent here, not through a ResponseEntity: a refusal may come before the body was read, and the
        // sender must have it before the container drains (or waits for) the rest.
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
