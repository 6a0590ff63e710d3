package dev.switchboard.core.webhook;

import dev.switchboard.spi.WebhookRejectedException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses webhook bodies under limits that hostile input cannot get past: nesting depth (so a body of 100,000
 * nested arrays is rejected, not parsed into a stack overflow), string and number length. Connectors parse their
 * vendors' payloads with {@link #parse} or {@link #MAPPER}.
 */
public final class WebhookJson {

    /** Deeper than any vendor payload we know of (they stay under 20), far below what could hurt. */
    public static final int MAX_NESTING_DEPTH = 100;

    /** A mapper with the webhook limits. */
    public static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxStringLength(1_000_000)
                            .maxNumberLength(100)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // "{} garbage" is not JSON
            .build();

    private WebhookJson() {
    }

    /**
     * The body as a JSON tree.
     *
     * @throws WebhookRejectedException {@code MALFORMED} when it is not JSON or exceeds a limit
     */
    public static JsonNode parse(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new WebhookRejectedException(WebhookRejectedException.Reason.MALFORMED, "body is empty");
            }
            return node;
        } catch (JacksonException e) {
            throw new WebhookRejectedException(WebhookRejectedException.Reason.MALFORMED,
                    "body is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
