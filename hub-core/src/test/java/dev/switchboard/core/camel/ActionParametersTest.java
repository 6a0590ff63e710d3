package dev.switchboard.core.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.delivery.DirectActionDispatcher;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.testing.RecordingConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ActionTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Action parameters arrive under their kebab-case names however a YAML route writes them: in the URI string, or
 * in a {@code parameters:} map, whose keys Camel's YAML DSL turns into camelCase. Names with a dot are passed
 * through as Camel delivers them.
 */
class ActionParametersTest {

    private static final String ROUTE = """
            - route:
                id: parameters
                from:
                  uri: switchboard:events
                  steps:
                    - to:
                        uri: switchboard:deploy/record
                        parameters:
                          model-data-url: "s3://models/${variable.model}/${variable.version}/model.tar.gz"
                          description: "${body.data.alias} of ${body.subject}"
                          workflow: deploy.yml
                          input.model-name: churn
                    - to: "switchboard:deploy/record?event-type=model-approved&input.modelName=churn&seen=${variable.result[count]}&ver=${variable.version}"
            """;

    @TempDir
    Path directory;

    private DataSource dataSource;
    private ConnectionRegistry connections;
    private DefaultCamelContext camel;

    @AfterEach
    void stop() {
        camel.stop();
        if (connections != null) {
            connections.close();
            TestDatabases.close(dataSource);
        }
    }

    @Test
    void dashedParameterNamesArriveAsWrittenInAMapAndInTheUri() throws Exception {
        RecordingConnector.reset();
        dataSource = TestDatabases.h2(directory);
        Store store = Store.open(dataSource, Clock.systemUTC());
        connections = ConnectionRegistry.open(new HubConfig(Map.of("deploy", new HubConfig.ConnectionSpec("recording",
                Map.of("url", "http://127.0.0.1:1"))), directory, null),
                ConnectorRegistry.discover(getClass().getClassLoader()), Clock.systemUTC());
        Path routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("parameters.camel.yaml"), ROUTE);
        camel = new DefaultCamelContext();
        camel.addComponent(SwitchboardComponent.SCHEME,
                new SwitchboardComponent(store, new DirectActionDispatcher(connections)));
        RouteFiles.load(camel, routes);
        camel.start();

        store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "p-1", "churn", "3", "champion")));

        await().atMost(Duration.ofSeconds(30)).until(() -> RecordingConnector.calls("deploy").size() == 2);
        assertThat(RecordingConnector.calls("deploy").get(0).parameters())
                .containsEntry("model-data-url", "s3://models/churn/3/model.tar.gz")
                .containsEntry("description", "champion of models/churn/versions/3")
                .containsEntry("workflow", "deploy.yml").containsEntry("input.modelName", "churn");
        assertThat(RecordingConnector.calls("deploy").get(1).parameters())
                .containsEntry("event-type", "model-approved").containsEntry("input.modelName", "churn")
                .containsEntry("seen", "1").containsEntry("ver", "3");
    }

    @Test
    void aParameterThatReadsAVariableTheExchangeLacksFailsNamingBothInsteadOfSendingAnEmptyValue() {
        camel = new DefaultCamelContext();
        Exchange exchange = new DefaultExchange(camel);
        exchange.getIn().setBody(TestEvents.aliasSet("mlflow-prod", "p-2", "churn", "3", "champion"));
        ActionParameters.bindEvent(exchange, exchange.getIn().getBody(CanonicalEvent.class));
        Map<String, String> templates = Map.of("to", "s3://m/${variable.model}/${variable.result[uri]}");
        Map<String, Expression> compiled = ActionParameters.compile(camel, templates);

        assertThatThrownBy(() -> ActionParameters.resolve(exchange, templates, compiled))
                .hasMessage("parameter to reads ${variable.result}, but no action step ran before this one");
        ActionParameters.bindResult(exchange, new ActionTarget.Result(null, Map.of("sha256", "ab", "size", "3")));
        assertThatThrownBy(() -> ActionParameters.resolve(exchange, templates, compiled))
                .hasMessage("parameter to reads ${variable.result[uri]}, but the previous action step has no uri (it "
                        + "has: sha256, size)");
        ActionParameters.bindResult(exchange, new ActionTarget.Result(null, Map.of("uri", "s3://c/3")));
        assertThat(ActionParameters.resolve(exchange, templates, compiled)).containsExactly(
                Map.entry("to", "s3://m/churn/s3://c/3"));

        Map<String, String> commit = Map.of("c", "${variable.commit}");
        assertThatThrownBy(() -> ActionParameters.resolve(exchange, commit, ActionParameters.compile(camel, commit)))
                .hasMessage("parameter c reads ${variable.commit}, but event model_version.alias_set has no commit");
    }
}
