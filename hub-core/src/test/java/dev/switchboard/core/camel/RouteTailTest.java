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

    @Test
    void aRouteWhoseLastStepIsAnActionEndsWithIt() throws Exception {
        load("""
                - route:
                    id: r
                    from:
                      uri: switchboard:events
                      steps:
                        - setHeader: {name: kind, constant: alias}
                        - to: switchboard:alpha/copy?from=a
                        - to: switchboard:beta/register?uri=${variable.result[uri]}
                """);
        assertThat(RouteTail.lastAction(camel, "r")).hasValue(
                camel.getEndpoint("switchboard:beta/register?uri=${variable.result[uri]}").getEndpointUri());
    }

    @Test
    void anActionLastInAFilterThatIsLastEndsTheRoute() throws Exception {
        load("""
                - route:
                    id: r
                    from:
                      uri: switchboard:events
                      steps:
                        - filter:
                            simple: "${variable.alias} == 'champion'"
                            steps:
                              - to: switchboard:alpha/run
                """);
        assertThat(RouteTail.lastAction(camel, "r")).hasValue(camel.getEndpoint("switchboard:alpha/run")
                .getEndpointUri());
    }

    @Test
    void aRouteWithAStepAfterItsLastActionOrNoActionHasNone() throws Exception {
        load("""
                - route:
                    id: after
                    from:
                      uri: switchboard:events
                      steps:
                        - to: switchboard:alpha/run
                        - log: done
                - route:
                    id: after-filter
                    from:
                      uri: switchboard:events
                      steps:
                        - filter:
                            simple: "${variable.alias} == 'champion'"
                            steps:
                              - to: switchboard:alpha/run
                        - log: done
                - route:
                    id: none
                    from:
                      uri: switchboard:events
                      steps:
                        - log: nothing to do
                """);
        assertThat(RouteTail.lastAction(camel, "after")).isEmpty();
        assertThat(RouteTail.lastAction(camel, "after-filter")).isEmpty();
        assertThat(RouteTail.lastAction(camel, "none")).isEmpty();
        assertThat(RouteTail.lastAction(camel, "unknown")).isEmpty();
    }

    @Test
    void anActionCalledTwiceIsNotTakenForTheLastOccurrence() throws Exception {
        load("""
                - route:
                    id: twice
                    from:
                      uri: switchboard:events
                      steps:
                        - to: switchboard:alpha/run
                        - to: switchboard:beta/run
                        - to: switchboard:alpha/run
                """);
        assertThat(RouteTail.lastAction(camel, "twice")).isEmpty();
    }

    @Test
    void somethingThatCouldRunAfterTheLastActionRulesItOut() throws Exception {
        load("""
                - route:
                    id: completion
                    from:
                      uri: switchboard:events
                      steps:
                        - onCompletion:
                            steps:
                              - log: after everything
                        - to: switchboard:alpha/run
                - route:
                    id: dynamic
                    from:
                      uri: switchboard:events
                      steps:
                        - toD: switchboard:alpha/${variable.action}
                        - to: switchboard:alpha/run
                """);
        assertThat(RouteTail.lastAction(camel, "completion")).isEmpty();
        assertThat(RouteTail.lastAction(camel, "dynamic")).isEmpty();
    }

    private void load(String yaml) throws Exception {
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("routes.camel.yaml", yaml));
    }
}
