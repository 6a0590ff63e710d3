package dev.switchboard.core.camel;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which routes end with an action step after which nothing runs, read from route files as the hub loads them. */
class RouteTailTest {

    private DefaultCamelContext camel;

    @BeforeEach
    void context() {
        camel = new DefaultCamelContext();
        camel.addComponent(SwitchboardComponent.SCHEME, new SwitchboardComponent(null, null));
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    /** A filter whose only step is the action {@code switchboard:alpha/run}, as YAML steps. */
    private static final String FILTERED_ACTION = """
            - filter:
                simple: "${variable.alias} == 'champion'"
                steps:
                  - to: switchboard:alpha/run
            """;

    @Test
    void aRouteWhoseLastStepIsAnActionEndsWithIt() throws Exception {
        load(route("r", """
                - setHeader: {name: kind, constant: alias}
                - to: switchboard:alpha/copy?from=a
                - to: switchboard:beta/register?uri=${variable.result[uri]}
                """));
        assertThat(RouteTail.lastAction(camel, "r")).hasValue(
                camel.getEndpoint("switchboard:beta/register?uri=${variable.result[uri]}").getEndpointUri());
    }

    @Test
    void anActionLastInAFilterThatIsLastEndsTheRoute() throws Exception {
        load(route("r", FILTERED_ACTION));
        assertThat(RouteTail.lastAction(camel, "r")).hasValue(camel.getEndpoint("switchboard:alpha/run")
                .getEndpointUri());
    }

    @Test
    void aRouteWithAStepAfterItsLastActionOrNoActionHasNone() throws Exception {
        load(route("after", "- to: switchboard:alpha/run\n- log: done\n")
                + route("after-filter", FILTERED_ACTION + "- log: done\n")
                + route("none", "- log: nothing to do\n"));
        assertThat(RouteTail.lastAction(camel, "after")).isEmpty();
        assertThat(RouteTail.lastAction(camel, "after-filter")).isEmpty();
        assertThat(RouteTail.lastAction(camel, "none")).isEmpty();
        assertThat(RouteTail.lastAction(camel, "unknown")).isEmpty();
    }

    @Test
    void anActionCalledTwiceIsNotTakenForTheLastOccurrence() throws Exception {
        load(route("twice", """
                - to: switchboard:alpha/run
                - to: switchboard:beta/run
                - to: switchboard:alpha/run
                """));
        assertThat(RouteTail.lastAction(camel, "twice")).isEmpty();
    }

    @Test
    void somethingThatCouldRunAfterTheLastActionRulesItOut() throws Exception {
        load(route("completion", """
                - onCompletion:
                    steps:
                      - log: after everything
                - to: switchboard:alpha/run
                """) + route("dynamic", """
                - toD: switchboard:alpha/${variable.action}
                - to: switchboard:alpha/run
                """));
        assertThat(RouteTail.lastAction(camel, "completion")).isEmpty();
        assertThat(RouteTail.lastAction(camel, "dynamic")).isEmpty();
    }

    /** A route file entry: route {@code id} from {@code switchboard:events} with {@code steps} (YAML list items). */
    private static String route(String id, String steps) {
        return """
                - route:
                    id: %s
                    from:
                      uri: switchboard:events
                      steps:
                """.formatted(id) + steps.indent(8);
    }

    private void load(String yaml) throws Exception {
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("routes.camel.yaml", yaml));
    }
}
