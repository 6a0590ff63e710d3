package dev.switchboard.core.camel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RouteValidator} checks each action step's parameters against what the action declares
 * ({@code ActionTarget.describe()}), so a typo is a route problem when the routes load rather than a dead letter.
 */
class RouteValidatorActionParametersTest {

    @TempDir
    Path directory;

    private RouteValidator validator;

    @BeforeEach
    void connections() {
        HubConfig config = new HubConfig(Map.of(
                "deploy", new HubConfig.ConnectionSpec("recording", Map.of("url", "http://127.0.0.1:1")),
                "notify", new HubConfig.ConnectionSpec("webhook", Map.of("url", "http://127.0.0.1:1",
                        "secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))), directory, null);
        validator = new RouteValidator(ConnectionRegistry.open(config,
                ConnectorRegistry.discover(getClass().getClassLoader()), Clock.systemUTC()));
    }

    private List<String> problems(String steps) {
        String yaml = """
                - route:
                    id: promote
                    from:
                      uri: switchboard:events
                      steps:
                """ + steps.indent(8);
        return validator.validateAll(Map.of("promote.camel.yaml", yaml));
    }

    @Test
    void aMisspelledParameterIsAProblemNamingFileRouteLineAndTheNearestName() {
        List<String> problems = problems("""
                - log: "first"
                - to: "switchboard:hub/copy-artifact?to=s3://models/${variable.model}/${variable.version}/m.tar.gz&form=s3://a/b"
                """);

        assertThat(problems).singleElement().asString()
                .startsWith("promote.camel.yaml:7: route promote: switchboard:hub/copy-artifact")
                .contains("has no parameter \"form\"; did you mean \"from\"?")
                .contains("It takes: to (required), from.");
    }

    @Test
    void aMissingRequiredParameterIsAProblem() {
        List<String> problems = problems("""
                - to:
                    uri: switchboard:hub/tag-model-version
                    parameters:
                      key: deploy.status
                """);

        assertThat(problems).singleElement().asString()
                .contains("promote.camel.yaml:6: route promote: switchboard:hub/tag-model-version needs parameter \"connection\"");
    }

    @Test
    void kebabCaseKeysOfAParametersMapAndTemplatedValuesAreAccepted() {
        List<String> problems = problems("""
                - to:
                    uri: switchboard:hub/tag-model-version
                    parameters:
                      connection: mlflow-prod
                      key: deploy.status
                      value: "${variable.version}"
                - to: "switchboard:hub/copy-artifact?to=s3://models/${variable.model}/${variable.version}/m.tar.gz"
                - to: switchboard:notify/send-event
                """);

        assertThat(problems).isEmpty();
    }

    @Test
    void anActionThatTakesNoParametersRefusesAny() {
        List<String> problems = problems("""
                - to: "switchboard:notify/send-event?url=http://elsewhere"
                """);

        assertThat(problems).singleElement().asString()
                .contains("switchboard:notify/send-event has no parameter \"url\"").contains("It takes: no parameters.");
    }

    @Test
    void aConnectorThatDeclaresNoParametersHasThemUnchecked() {
        // The recording test connector keeps ActionTarget.describe()'s default, as a third-party connector written
        // before the method would.
        assertThat(problems("""
                - to: "switchboard:deploy/record?anything=goes&model=${body.data.modelName}"
                """)).isEmpty();
    }

    @Test
    void aPlaceholderOfThePreviousTemplateLanguageIsAProblemNamingItsSimpleEquivalent() {
        List<String> problems = problems("""
                - to: "switchboard:hub/copy-artifact?to=s3://models/{model}/{version}/m.tar.gz"
                - to:
                    uri: switchboard:deploy/record
                    parameters:
                      url: "{result.uri}"
                      model: "{param.model_name}"
                """);

        assertThat(problems).containsExactlyInAnyOrder(
                "promote.camel.yaml:6: route promote: switchboard:hub/copy-artifact: parameter to uses {model}, which "
                        + "is no longer filled in; action parameters are Camel Simple: write ${variable.model}",
                "promote.camel.yaml:6: route promote: switchboard:hub/copy-artifact: parameter to uses {version}, "
                        + "which is no longer filled in; action parameters are Camel Simple: write ${variable.version}",
                "promote.camel.yaml:7: route promote: switchboard:deploy/record: parameter url uses {result.uri}, "
                        + "which is no longer filled in; action parameters are Camel Simple: write "
                        + "${variable.result[uri]}",
                "promote.camel.yaml:7: route promote: switchboard:deploy/record: parameter model uses "
                        + "{param.model_name}, which is no longer filled in; action parameters are Camel Simple: write "
                        + "${body.data.parameters[model_name]}");
    }

    @Test
    void aParameterExpressionIsCompiledButNeverEvaluated() {
        List<String> problems = problems("""
                - to:
                    uri: switchboard:deploy/record
                    parameters:
                      broken: "s3://models/${variable.model"
                      later: "${body.data.noSuchField.orAnother}"
                """);

        assertThat(problems).singleElement().asString()
                .startsWith("promote.camel.yaml:6: route promote: switchboard:deploy/record: parameter broken "
                        + "\"s3://models/${variable.model\" does not compile as Simple");
    }

    @Test
    void aParameterWhoseValueChangesFromRunToRunIsAProblem() {
        List<String> problems = problems("""
                - to: "switchboard:deploy/record?at=${date:now:yyyyMMdd}&n=${random(10)}"
                """);

        assertThat(problems).hasSize(2).allSatisfy(problem -> assertThat(problem)
                .startsWith("promote.camel.yaml:6: route promote: switchboard:deploy/record: parameter ")
                .contains("whose value changes from run to run"));
    }

    @Test
    void theRouteSafetyRulesHoldInParameterExpressions() {
        List<String> problems = problems("""
                - to:
                    uri: switchboard:deploy/record
                    parameters:
                      token: "${env:HOME}"
                      other: "${bean:store.toString}"
                """);

        assertThat(problems).hasSize(2).allSatisfy(problem -> assertThat(problem)
                .contains("expressions may not reach beans, classes, the exchange"));
    }
}
