package dev.switchboard.core.webhook;

import static dev.switchboard.core.webhook.IngressFixture.JSON;
import static dev.switchboard.core.webhook.IngressFixture.MAX_BODY;
import static dev.switchboard.core.webhook.IngressFixture.SECRET;
import static dev.switchboard.core.webhook.IngressFixture.aliasSet;
import static dev.switchboard.core.webhook.IngressFixture.signed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.webhook.WebhookIngress.Problem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile webhooks, table-driven: none is accepted, none gets a 5xx, each gets the expected 4xx with a problem
 * detail that shows no secret, and the inbox stays empty.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileWebhooksTest {

    private static final String ALT_SECRET = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);

    /**
     * One hostile request.
     *
     * @param name        what it tries
     * @param connection  the connection in the URL
     * @param headers     its headers
     * @param body        its body
     * @param contentType its Content-Type
     * @param status      the status it must get
     */
    record Case(String name, String connection, Map<String, List<String>> headers, byte[] body, String contentType,
                int status) {

        @Override
        public String toString() {
            return status + " " + name;
        }
    }

    private IngressFixture hub;

    @BeforeAll
    void open(@TempDir Path directory) {
        hub = new IngressFixture(directory);
    }

    @AfterAll
    void close() {
        assertThat(hub.webhooks("accepted", "none")).isZero();
        hub.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithAClearClientError(Case hostile) {
        WebhookIngress.Result result = hub.ingress.receive(hostile.connection(), hostile.headers(), hostile.body(),
                hostile.contentType());

        assertThat(result).isInstanceOfSatisfying(Problem.class, problem -> {
            assertThat(problem.status()).isEqualTo(hostile.status());
            assertThat(problem.title()).isNotBlank();
            assertThat(problem.detail()).isNotBlank().doesNotContain(SECRET).doesNotContain(SECRET.substring(6))
                    .doesNotContain(ALT_SECRET.substring(6)).doesNotContain("\r").doesNotContain("\n");
            assertThat(problem.detail().length()).isLessThanOrEqualTo(301);
            for (String signature : hostile.headers() == null ? List.<String>of()
                    : hostile.headers().getOrDefault(StandardWebhooks.SIGNATURE, List.of())) {
                for (String entry : signature.split(" ")) {
                    if (entry.length() > 20) {
                        assertThat(problem.detail()).doesNotContain(entry.substring(3));
                    }
                }
            }
            assertThat(problem.detail()).doesNotContain(SIGNER_OF_GOOD_BODY);
        });
        assertThat(hub.store.inbox().count()).isZero();
    }

    /** The signature of the good body under the right secret, at a fixed id and time: never to be echoed. */
    private static final String SIGNER_OF_GOOD_BODY =
            IngressFixture.SIGNER.sign("msg_fixed", Instant.ofEpochSecond(1_700_000_000), aliasSet("churn")).substring(3);

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        unknownConnections(cases);
        missingHeaders(cases);
        badSignatures(cases);
        badTimestamps(cases);
        oversizeBodies(cases);
        wrongContentTypes(cases);
        malformedJson(cases);
        headerInjection(cases);
        ambiguousRequests(cases);
        assertThat(cases).hasSizeGreaterThanOrEqualTo(100);
        return cases.stream();
    }

    private static void unknownConnections(List<Case> cases) {
        byte[] body = aliasSet("churn");
        for (String connection : Arrays.asList("nope", "../vendor", "vendor/../deploy", "vendor\r\nSet-Cookie: a=b", "",
                null, "x".repeat(500), "<script>alert(1)</script>", "vendor%00", "VENDOR", " vendor", "vendor\u0000",
                "deploy")) {
            cases.add(new Case("unknown connection " + printable(connection), connection, signed(body), body, JSON, 404));
        }
    }

    private static void missingHeaders(List<Case> cases) {
        byte[] body = aliasSet("churn");
        for (String header : List.of(StandardWebhooks.ID, StandardWebhooks.TIMESTAMP, StandardWebhooks.SIGNATURE)) {
            cases.add(valid("missing " + header, body, headers -> without(headers, header), 401));
            cases.add(valid("blank " + header, body, headers -> with(headers, header, "  "), 401));
        }
        cases.add(new Case("no headers at all", "vendor", Map.of(), body, JSON, 401));
        cases.add(new Case("null headers", "vendor", null, body, JSON, 401));
    }

    private static void badSignatures(List<Case> cases) {
        byte[] body = aliasSet("churn");
        Instant now = Instant.now();
        String good = IngressFixture.SIGNER.sign("msg_bad", now, body);
        StandardWebhooks other = new StandardWebhooks(ALT_SECRET);
        cases.add(sig("signed with another secret", body, now, other.sign("msg_bad", now, body), 401));
        cases.add(sig("signature of another body", body, now, IngressFixture.SIGNER.sign("msg_bad", now, aliasSet("x")), 401));
        cases.add(sig("signature of another id", body, now, IngressFixture.SIGNER.sign("msg_other", now, body), 401));
        cases.add(sig("signature of another time", body, now, IngressFixture.SIGNER.sign("msg_bad", now.minusSeconds(1), body), 401));
        cases.add(sig("zero signature", body, now, "v1," + Base64.getEncoder().encodeToString(new byte[32]), 401));
        cases.add(sig("short signature", body, now, "v1,AAAA", 401));
        cases.add(sig("truncated signature", body, now, good.substring(0, good.length() - 4), 401));
        cases.add(sig("only another version", body, now, "v2," + good.substring(3), 401));
        cases.add(sig("only asymmetric version", body, now, "v1a," + good.substring(3), 401));
        cases.add(sig("upper-case version", body, now, "V1," + good.substring(3), 401));
        cases.add(sig("300 wrong signatures", body, now, String.join(" ", java.util.Collections.nCopies(300, "v1,AAAA")), 401));
        cases.add(sig("600 wrong signatures (too long)", body, now, String.join(" ", java.util.Collections.nCopies(600, "v1,AAAA")), 400));
        cases.add(sig("not a list", body, now, "garbage", 400));
        cases.add(sig("version only", body, now, "v1", 400));
        cases.add(sig("version only with comma", body, now, "v1,", 400));
        cases.add(sig("no version", body, now, ",abc", 400));
        cases.add(sig("not base64", body, now, "v1,***", 400));
        cases.add(sig("tab-separated", body, now, good + "\tv1,AAAA", 400));
        cases.add(sig("good signature after a malformed one", body, now, "v1,%%% " + good, 400));
        // A change that leaves the body JSON fails the signature (401); one that breaks the JSON is refused before
        // the signature is looked at (400).
        Map<UnaryOperator<byte[]>, Integer> changes = new LinkedHashMap<>();
        changes.put(b -> concat(b, " ".getBytes(StandardCharsets.UTF_8)), 401);
        changes.put(b -> Arrays.copyOf(b, b.length - 1), 400);
        changes.put(b -> concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, b), 401);
        changes.put(b -> new String(b, StandardCharsets.UTF_8).replace("champion", "champiom")
                .getBytes(StandardCharsets.UTF_8), 401);
        changes.put(b -> new String(b, StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8), 401);
        changes.put(b -> new byte[0], 400);
        changes.forEach((change, status) -> cases.add(new Case("body changed after signing #" + cases.size(), "vendor",
                signed(body), change.apply(body), JSON, status)));
        // at 0 '{', 7 ':', 40 and 60 '"' the flip breaks the JSON; at 20 it changes a letter
        Map<Integer, Integer> flips = Map.of(0, 400, 7, 400, 20, 401, 40, 400, 60, 400);
        flips.forEach((position, status) -> {
            byte[] flipped = body.clone();
            flipped[position] ^= 0x01;
            cases.add(new Case("bit flipped at " + position, "vendor", signed(body), flipped, JSON, status));
        });
    }

    private static void badTimestamps(List<Case> cases) {
        byte[] body = aliasSet("churn");
        Instant now = Instant.now();
        // Cases are made before they run, so a future timestamp needs a margin beyond the 300 s tolerance.
        for (Duration offset : List.of(Duration.ofSeconds(-301), Duration.ofHours(-1), Duration.ofDays(-1),
                Duration.ofDays(-3650), Duration.ofSeconds(360), Duration.ofHours(1), Duration.ofDays(3650))) {
            Instant at = now.plus(offset);
            cases.add(new Case("timestamp off by " + offset, "vendor", signed("msg_t" + offset, at, body), body, JSON, 401));
        }
        for (String stale : List.of("0", "-1", "+1614265330", "99999999999")) {
            cases.add(valid("timestamp " + stale, body, headers -> with(headers, StandardWebhooks.TIMESTAMP, stale), 401));
        }
        for (String malformed : List.of("abc", "1.5e9", "1700000000.5", "99999999999999999999", "0x5f", "1 700 000 000")) {
            cases.add(valid("timestamp " + malformed, body, headers -> with(headers, StandardWebhooks.TIMESTAMP, malformed), 400));
        }
    }

    private static void oversizeBodies(List<Case> cases) {
        for (int size : new int[] {MAX_BODY + 1, 2 * MAX_BODY, 10 * MAX_BODY}) {
            byte[] body = new byte[size];
            Arrays.fill(body, (byte) ' ');
            cases.add(new Case("body of " + size + " bytes", "vendor", signed(body), body, JSON, 413));
        }
    }

    private static void wrongContentTypes(List<Case> cases) {
        byte[] body = aliasSet("churn");
        for (String type : Arrays.asList(null, "", "text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "text/json", "application/jsonx", "application/json\r\nX-Evil: 1",
                "application/ json", "json", "*/*", "application/*", "application/json+xml")) {
            cases.add(new Case("content type " + printable(type), "vendor", signed(body), body, type, 415));
        }
    }

    private static void malformedJson(List<Case> cases) {
        List<String> bodies = new ArrayList<>(List.of("", "{", "[1,2", "{\"type\":}", "null", "42", "\"str\"",
                "{'type':'ping'}", "{\"type\":\"ping\"} trailing", "{\"type\": NaN}", "\u0000",
                "{\"type\":\"model_version.alias_set\"}",
                "{\"type\":\"model_version.alias_set\",\"model\":\"../../etc\",\"version\":\"1\",\"alias\":\"a\"}",
                "{\"type\":\"model_version.alias_set\",\"model\":{\"a\":1},\"version\":\"1\",\"alias\":\"a\"}",
                "{\"type\":42}", "[{\"type\":\"ping\"}]", "{\"type\":\"ping\",\"type\":\"model_version.alias_set\"}",
                "{\"type\":\"" + "a".repeat(1_000_001) + "\"}",
                "{\"type\":\"ping\",\"n\":" + "9".repeat(5000) + "}",
                "[".repeat(100_000),
                "[".repeat(100_000) + "]".repeat(100_000),
                "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000)));
        for (String text : bodies) {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            cases.add(new Case("body " + printable(text), "vendor", signed(body), body, JSON, 400));
        }
        byte[] notUtf8 = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}'};
        cases.add(new Case("body not UTF-8", "vendor", signed(notUtf8), notUtf8, JSON, 400));
    }

    private static void headerInjection(List<Case> cases) {
        byte[] body = aliasSet("churn");
        Instant now = Instant.now();
        cases.add(new Case("CRLF in a signed webhook-id", "vendor", signed("msg\r\nX-Evil: 1", now, body), body, JSON, 400));
        cases.add(valid("LF in webhook-signature", body, headers -> with(headers, StandardWebhooks.SIGNATURE,
                headers.get(StandardWebhooks.SIGNATURE).get(0) + "\nX-Evil: 1"), 400));
        cases.add(valid("NUL in webhook-timestamp", body, headers -> with(headers, StandardWebhooks.TIMESTAMP,
                headers.get(StandardWebhooks.TIMESTAMP).get(0) + "\u0000"), 400));
        cases.add(valid("CR in another header", body, headers -> with(headers, "X-Forwarded-For", "1.2.3.4\r\n"), 400));
        cases.add(valid("CRLF in a header name", body, headers -> with(headers, "X-Evil\r\nInjected", "1"), 400));
        cases.add(new Case("space in a signed webhook-id", "vendor", signed("msg 1", now, body), body, JSON, 400));
        cases.add(new Case("1000-character webhook-id", "vendor", signed("m".repeat(1000), now, body), body, JSON, 400));
        cases.add(new Case("non-ASCII webhook-id", "vendor", signed("msg_\u00fc", now, body), body, JSON, 400));
    }

    /** Requests that two readers could read two ways: a repeated header, a charset, an encoding, non-UTF-8 bytes. */
    private static void ambiguousRequests(List<Case> cases) {
        byte[] body = aliasSet("churn");
        for (String header : List.of(StandardWebhooks.SIGNATURE, StandardWebhooks.ID, StandardWebhooks.TIMESTAMP)) {
            cases.add(valid(header + " twice, the right one first", body, headers -> with(headers, header,
                    headers.get(header).get(0), header.equals(StandardWebhooks.TIMESTAMP) ? "1" : "v1,AAAA"), 400));
        }
        cases.add(valid("webhook-signature twice in two spellings", body,
                headers -> with(headers, "Webhook-Signature", "v1,AAAA"), 400));
        cases.add(valid("Content-Type twice", body, headers -> with(headers, "Content-Type", JSON, "text/plain"), 400));
        for (String type : List.of("application/json; charset=iso-8859-1", "application/json; charset=utf-16",
                "application/json;charset=\"latin1\"")) {
            cases.add(new Case("content type " + type, "vendor", signed(body), body, type, 415));
        }
        for (String encoding : List.of("gzip", "deflate", "br", "identity, gzip")) {
            cases.add(valid("Content-Encoding " + encoding, body, headers -> with(headers, "Content-Encoding", encoding),
                    415));
        }
        String json = "{\"type\":\"model_version.alias_set\",\"model\":\"m%s\",\"version\":\"3\",\"alias\":\"a\"}";
        for (byte[] bad : List.of(new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xE2, (byte) 0x82})) {
            String[] halves = json.split("%s");
            byte[] signedBody = concat(concat(halves[0].getBytes(StandardCharsets.UTF_8), bad),
                    halves[1].getBytes(StandardCharsets.UTF_8));
            cases.add(new Case("signed body with invalid UTF-8 " + java.util.HexFormat.of().formatHex(bad), "vendor",
                    signed(signedBody), signedBody, JSON, 400));
        }
        for (String duplicated : List.of(
                "{\"type\":\"model_version.alias_set\",\"model\":\"a\",\"model\":\"b\",\"version\":\"3\",\"alias\":\"c\"}",
                "{\"type\":\"model_version.alias_set\",\"model\":\"a\",\"version\":\"3\",\"alias\":\"c\",\"x\":{\"k\":1,\"k\":2}}")) {
            byte[] signedBody = duplicated.getBytes(StandardCharsets.UTF_8);
            cases.add(new Case("signed body with a duplicate key " + printable(duplicated), "vendor",
                    signed(signedBody), signedBody, JSON, 400));
        }
    }

    private static Case valid(String name, byte[] body, UnaryOperator<Map<String, List<String>>> change, int status) {
        return new Case(name, "vendor", change.apply(new LinkedHashMap<>(signed(body))), body, JSON, status);
    }

    private static Case sig(String name, byte[] body, Instant at, String signature, int status) {
        return new Case(name, "vendor", with(signed("msg_bad", at, body), StandardWebhooks.SIGNATURE, signature), body,
                JSON, status);
    }

    private static Map<String, List<String>> with(Map<String, List<String>> headers, String name, String... values) {
        Map<String, List<String>> changed = new LinkedHashMap<>(headers);
        changed.put(name, List.of(values));
        return changed;
    }

    private static Map<String, List<String>> without(Map<String, List<String>> headers, String name) {
        Map<String, List<String>> changed = new LinkedHashMap<>(headers);
        changed.remove(name);
        return changed;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static String printable(String value) {
        if (value == null) {
            return "(null)";
        }
        String shown = value.replaceAll("\\p{Cntrl}", "?");
        return shown.length() > 40 ? shown.substring(0, 40) + "… (" + value.length() + " chars)" : "\"" + shown + "\"";
    }
}
