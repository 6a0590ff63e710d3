package dev.switchboard.core.webhook;

import dev.switchboard.spi.WebhookRejectedException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses webhook bodies under limits that hostile input cannot get past: nesting depth (so a body of 100,000
 * nested arrays is rejected, not parsed into a stack overflow), string and number length, and no key twice in one
 * object (parsers disagree on which of two values wins, so a signed body could mean one thing to the hub and another
 * to whoever signed it). Connectors parse their vendors' payloads with {@link #parse} or {@link #MAPPER}; the ingress
 * runs {@link #check} on every JSON body first, whatever the connector parses it with.
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
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // "{} garbage" is not JSON
            .build();

    private WebhookJson() {
    }

    /**
     * Checks that {@code body} is one JSON value in strict UTF-8 within the limits, without building it: RFC 8259 JSON
     * exchanged between systems is UTF-8, and a decoder that accepts overlong or surrogate byte sequences reads text
     * that no signer meant.
     *
     * @throws WebhookRejectedException {@code MALFORMED}, saying what is wrong and where
     */
    public static void check(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw new WebhookRejectedException(WebhookRejectedException.Reason.MALFORMED,
                    "body is not valid UTF-8 (JSON must be UTF-8)");
        }
        try (JsonParser parser = MAPPER.createParser(body)) {
            if (parser.nextToken() == null) {
                throw new WebhookRejectedException(WebhookRejectedException.Reason.MALFORMED, "body is empty");
            }
            parser.skipChildren();
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw new WebhookRejectedException(WebhookRejectedException.Reason.MALFORMED, "body is not valid JSON: "
                        + "more than one value (" + after + " after the first)");
            }
        } catch (JacksonException e) {
            throw new WebhookRejectedException(WebhookRejectedException.Reason.MALFORMED,
                    "body is not valid JSON: " + e.getOriginalMessage());
        }
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
