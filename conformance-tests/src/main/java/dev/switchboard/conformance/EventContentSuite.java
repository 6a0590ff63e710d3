package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.EventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a webhook's fields become: each {@link GoldenExample} the author supplies (a delivery in the tool's format
 * and the canonical events it must yield) is received, and every expected field of every expected event must hold
 * exactly the expected value. This catches the mistakes a signature test cannot: {@code success} and
 * {@code failure} swapped, a version number taken from the wrong field, a subject built from the wrong id.
 *
 * <p>Write at least one example per event type the tool sends, and one per value of each field the mapping
 * translates (each conclusion of a CI run, each stage).
 */
public interface EventContentSuite extends ConnectorUnderTest {

    /** The golden examples; each request is signed as the connection under test expects. */
    List<GoldenExample> goldenExamples();

    @Test
    default void everyGoldenExampleBecomesItsExpectedCanonicalEvents() {
        assumeCapability(Capability.EVENT_SOURCE);
        EventSource source = connection().eventSource().orElseThrow(() -> new AssertionError(
                "connector claims EVENT_SOURCE but the connection offers no EventSource"));
        List<GoldenExample> examples = goldenExamples();
        assertThat(examples).as("goldenExamples(): at least one").isNotEmpty();
        JsonMapper json = JsonMapper.builder().build();
        List<String> mismatches = new ArrayList<>();
        for (GoldenExample example : examples) {
            List<CanonicalEvent> events = source.receive(example.request());
            for (GoldenExample.Expected expected : example.expected()) {
                List<CanonicalEvent> candidates = events.stream().filter(e -> e.type() == expected.type())
                        .filter(e -> expected.subject() == null || expected.subject().equals(e.subject())).toList();
                if (candidates.isEmpty()) {
                    mismatches.add(example.name() + ": no " + expected.type() + " event"
                            + (expected.subject() == null ? "" : " with subject " + expected.subject()) + " among "
                            + events.stream().map(e -> e.type() + " " + e.subject()).toList());
                    continue;
                }
                List<String> best = null;
                for (CanonicalEvent candidate : candidates) {
                    List<String> differences = new ArrayList<>();
                    compare("data", expected.data(), json.valueToTree(candidate.data()), differences);
                    if (best == null || differences.size() < best.size()) {
                        best = differences;
                    }
                }
                best.forEach(difference -> mismatches.add(example.name() + ": " + expected.type() + " "
                        + difference));
            }
        }
        assertThat(mismatches).as("golden examples whose canonical events differ").isEmpty();
    }

    /** Adds to {@code differences} each field of {@code expected} that {@code actual} does not hold alike. */
    private static void compare(String path, JsonNode expected, JsonNode actual, List<String> differences) {
        if (expected.isObject()) {
            for (Map.Entry<String, JsonNode> field : expected.properties()) {
                JsonNode value = actual == null ? null : actual.get(field.getKey());
                compare(path + "." + field.getKey(), field.getValue(), value, differences);
            }
        } else if (actual == null || !expected.equals(actual)) {
            differences.add(path + ": expected " + expected + ", was " + (actual == null ? "missing" : actual));
        }
    }
}
