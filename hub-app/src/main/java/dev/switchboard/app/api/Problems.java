package dev.switchboard.app.api;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes RFC 9457 problems where no Spring MVC handler is involved or where the answer must not wait: the access
 * filter, the error page and refused webhooks; and the webhooks' 202 answer, which skips Spring MVC's message
 * converters (a tenth of a webhook request's CPU in the B1 benchmark).
 */
final class Problems {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Problems() {
    }

    static void write(HttpServletResponse response, int status, String detail) throws IOException {
        write(response, body(status, detail));
    }

    /**
     * Writes {@code problem} (its {@code status} is the response's) with a Content-Length, and sends it at once: a
     * request refused before its body was read (declared too large, say) is answered before the container drains or
     * waits for that body, so the client has its answer even if it never sends the rest.
     */
    static void write(HttpServletResponse response, Map<String, Object> problem) throws IOException {
        writeJson(response, (Integer) problem.get("status"), MediaType.APPLICATION_PROBLEM_JSON_VALUE, problem);
    }

    /** Writes {@code body} as JSON of {@code contentType} with {@code status} and a Content-Length, and sends it. */
    static void writeJson(HttpServletResponse response, int status, String contentType, Map<String, Object> body)
            throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType(contentType);
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
        response.flushBuffer();
    }

    static Map<String, Object> body(int status, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title(status));
        problem.put("status", status);
        problem.put("detail", detail);
        return problem;
    }

    private static String title(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "Error" : known.getReasonPhrase();
    }
}
