package dev.switchboard.conformance.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.connector.mlflow.MlflowConnector;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.EventSource.PollResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The MLflow poller: what webhooks miss it finds, and a restart from its saved cursor repeats and skips nothing. */
class MlflowPollerTest {

    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();

    private final List<Connection> opened = new ArrayList<>();

    /** A fresh connection, as after a hub restart; page size 2 so a handful of changes spans pages. */
    private EventSource restartedHub() {
        Connection connection = new MlflowConnector().open(new ConnectionConfig("mlflow-prod", "mlflow",
                        Map.of("tracking-url", MLFLOW.baseUrl().toString(), "page-size", "2")),
                new ConnectorContext(MLFLOW.clock(), ArtifactResolver.NONE));
        opened.add(connection);
        return connection.eventSource().orElseThrow();
    }

    @AfterEach
    void close() {
        opened.forEach(Connection::close);
    }

    @Test
    void pollerFindsTheChangeWhoseWebhookWasLost() {
        MLFLOW.registerWebhook(null, "secret");
        EventSource source = restartedHub();
        String cursor = source.poll(null).cursor();
        MLFLOW.createModelVersion("churn", "s3://models/churn/1");
        MLFLOW.loseWebhooks(true);
        String missed = MLFLOW.createModelVersion("churn", "s3://models/churn/2");
        assertThat(MLFLOW.lostWebhooks()).extracting(d -> d.bodyText())
                .singleElement().asString().contains("\"version\": \"" + missed + "\"");

        PollResult result = source.poll(cursor);

        assertThat(result.events()).extracting(CanonicalEvent::subject)
                .containsExactly("models/churn/versions/1", "models/churn/versions/" + missed);
        assertThat(result.events()).extracting(CanonicalEvent::type).containsOnly(EventType.MODEL_VERSION_CREATED);
    }

    /**
     * Against MLflow 2.x polling is all there is. Setting, moving or deleting an alias moves no
     * {@code last_updated_timestamp} and {@code model-versions/search} carries no {@code aliases} (recordings, both
     * versions), so the poller keeps every model's aliases in its cursor and reports the differences: set on the new
     * version, deleted from the model. Re-polling from a saved cursor gives the same ids; a later identical move gets
     * new ones.
     */
    @Test
    void againstMlflow2PollingReportsAliasesSetMovedAndDeleted() {
        MLFLOW.asMlflow2();
        EventSource source = restartedHub();
        String cursor = source.poll(null).cursor();
        MLFLOW.createModelVersion("churn", "s3://models/churn/1");
        MLFLOW.createModelVersion("churn", "s3://models/churn/2");
        PollResult created = source.poll(cursor);

        MLFLOW.call("POST", "registered-models/alias", Map.of("name", "churn", "alias", "champion", "version", "1"));
        PollResult set = restartedHub().poll(created.cursor());
        MLFLOW.call("POST", "registered-models/alias", Map.of("name", "churn", "alias", "champion", "version", "2"));
        PollResult moved = restartedHub().poll(set.cursor());
        PollResult movedAgain = restartedHub().poll(set.cursor());
        MLFLOW.call("DELETE", "registered-models/alias", Map.of("name", "churn", "alias", "champion"));
        PollResult deleted = restartedHub().poll(moved.cursor());
        MLFLOW.call("POST", "registered-models/alias", Map.of("name", "churn", "alias", "champion", "version", "1"));
        PollResult setOnceMore = restartedHub().poll(deleted.cursor());

        assertThat(created.events()).extracting(CanonicalEvent::type).containsOnly(EventType.MODEL_VERSION_CREATED);
        assertThat(set.events()).extracting(CanonicalEvent::type, CanonicalEvent::subject).containsExactly(
                org.assertj.core.groups.Tuple.tuple(EventType.MODEL_VERSION_ALIAS_SET, "models/churn/versions/1"));
        assertThat(moved.events()).extracting(CanonicalEvent::type, CanonicalEvent::subject).containsExactly(
                org.assertj.core.groups.Tuple.tuple(EventType.MODEL_VERSION_ALIAS_SET, "models/churn/versions/2"));
        assertThat(movedAgain.events()).extracting(CanonicalEvent::id)
                .containsExactlyElementsOf(moved.events().stream().map(CanonicalEvent::id).toList());
        assertThat(deleted.events()).extracting(CanonicalEvent::type, CanonicalEvent::subject).containsExactly(
                org.assertj.core.groups.Tuple.tuple(EventType.MODEL_VERSION_ALIAS_DELETED, "models/churn"));
        assertThat(setOnceMore.events()).extracting(CanonicalEvent::id).doesNotContainAnyElementsOf(
                set.events().stream().map(CanonicalEvent::id).toList());
        assertThat(restartedHub().poll(setOnceMore.cursor()).events()).as("nothing new").isEmpty();
    }

    /** A cursor saved before aliases were polled ({@code v1}) is read; its first poll records the aliases silently. */
    @Test
    void aV1CursorIsReadAndItsFirstPollReportsNoAliasFromBefore() {
        MLFLOW.createModelVersion("churn", "s3://models/churn/1");
        MLFLOW.call("POST", "registered-models/alias", Map.of("name", "churn", "alias", "champion", "version", "1"));
        String v1 = "v1:" + (MLFLOW.clock().millis() + 60_000) + ":";

        PollResult first = restartedHub().poll(v1);
        MLFLOW.call("DELETE", "registered-models/alias", Map.of("name", "churn", "alias", "champion"));
        PollResult second = restartedHub().poll(first.cursor());

        assertThat(first.events()).isEmpty();
        assertThat(first.cursor()).startsWith("v2:");
        assertThat(second.events()).extracting(CanonicalEvent::type)
                .containsExactly(EventType.MODEL_VERSION_ALIAS_DELETED);
    }

    @Test
    void restartFromTheSavedCursorReportsNoEventTwiceAndSkipsNone() {
        Instant t = Instant.parse("2026-03-01T12:00:00.123Z");
        MLFLOW.freezeClock(t);
        MLFLOW.createModelVersion("before", "s3://models/before/1");
        String saved = restartedHub().poll(null).cursor();

        // three changes in the same millisecond as the cursor, more than one page of the poller
        List<String> expected = new ArrayList<>();
        for (String model : List.of("a", "b", "c")) {
            expected.add("models/" + model + "/versions/" + MLFLOW.createModelVersion(model, "s3://m/" + model));
        }
        PollResult first = restartedHub().poll(saved);
        List<CanonicalEvent> reported = new ArrayList<>(first.events());

        // after a restart: two more changes in that same millisecond, then later ones
        EventSource afterRestart = restartedHub();
        for (String model : List.of("d", "e")) {
            expected.add("models/" + model + "/versions/" + MLFLOW.createModelVersion(model, "s3://m/" + model));
        }
        PollResult second = afterRestart.poll(first.cursor());
        reported.addAll(second.events());
        MLFLOW.advanceClock(Duration.ofMillis(1));
        expected.add("models/f/versions/" + MLFLOW.createModelVersion("f", "s3://m/f"));
        MLFLOW.call("PATCH", "model-versions/update", Map.of("name", "a", "version", "1", "description", "retrained"));
        expected.add("models/a/versions/1");
        PollResult third = restartedHub().poll(second.cursor());
        reported.addAll(third.events());

        assertThat(reported).extracting(CanonicalEvent::subject).containsExactlyInAnyOrderElementsOf(expected)
                .doesNotContain("models/before/versions/1");
        assertThat(reported).extracting(CanonicalEvent::id).doesNotHaveDuplicates();
        assertThat(third.events()).extracting(CanonicalEvent::subject, CanonicalEvent::type).containsExactly(
                org.assertj.core.groups.Tuple.tuple("models/a/versions/1", EventType.MODEL_VERSION_UPDATED),
                org.assertj.core.groups.Tuple.tuple("models/f/versions/1", EventType.MODEL_VERSION_CREATED));
        assertThat(restartedHub().poll(third.cursor()).events()).as("nothing new").isEmpty();
        assertThat(restartedHub().poll(second.cursor()).events()).as("same cursor, same ids")
                .extracting(CanonicalEvent::id).containsExactlyElementsOf(third.events().stream().map(CanonicalEvent::id).toList());
    }

    @Test
    void cursorTheConnectorDidNotWriteIsAConfigurationError() {
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> restartedHub().poll("yesterday"));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("mlflow-prod").contains("yesterday");
    }
}
