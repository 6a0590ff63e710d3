package dev.switchboard.conformance.fakes.kubeflow;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import dev.switchboard.conformance.fakes.Faults;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** What the two Kubeflow fakes share: query parsing, opaque page tokens, fault answers, an error type. */
final class FakeHttp {

    private FakeHttp() {
    }

    /** An error answer of a fake, with its HTTP status and body. */
    static final class ApiError extends RuntimeException {
        final int status;
        final JsonNode body;

        ApiError(int status, JsonNode body) {
            super(body.toString());
            this.status = status;
            this.body = body;
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.putIfAbsent(key, value);
        }
        return query;
    }

    static String token(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String untoken(String token) {
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static ResponseDefinition json(int status, JsonNode body) {
        return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(body.toString()).build();
    }

    static ResponseDefinition fault(Faults.Fault fault, JsonNode serverError, JsonNode rateLimited) {
        return switch (fault.kind()) {
            case CONNECTION_RESET -> new ResponseDefinitionBuilder()
                    .withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER).build();
            case RATE_LIMITED -> new ResponseDefinitionBuilder().withStatus(429)
                    .withHeader("Content-Type", "application/json")
                    .withHeader("Retry-After", Long.toString(fault.delay().toSeconds()))
                    .withBody(rateLimited.toString()).build();
            default -> new ResponseDefinitionBuilder().withStatus(fault.status())
                    .withHeader("Content-Type", "application/json").withBody(serverError.toString()).build();
        };
    }
}
