package dev.switchboard.core.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RouteSafetyTest {

    private static final String ROUTE = """
            - route:
                id: r
                from:
                  uri: switchboard:events
                  parameters:
                    type: model_version.alias_set
                  steps:
                    %s
            """;

    @Test
    void theShippedAndExampleRoutesAreSafe() throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Stream.concat(Files.walk(Path.of("../routes/src/main/resources/routes")),
                Files.walk(Path.of("../examples")))) {
            files = walk.filter(file -> file.toString().endsWith(RouteFiles.SUFFIX)).toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(3);
        for (Path file : files) {
            assertThat(RouteSafety.problems(file.toString(), Files.readString(file))).as(file.toString()).isEmpty();
        }
    }

    @Test
    void actionParametersMayBeNamedLikeDslKeysButTheirValuesAreChecked() {
        String step = """
                - to:
                            uri: switchboard:github/dispatch-workflow
                            parameters:
                              ref: main
                              to: "s3://models/${variable.model}"
                              method: POST
                              input.secret: "#bean:dataSource"
                """;

        assertThat(RouteSafety.problems("f", ROUTE.formatted(step))).singleElement().asString()
                .startsWith("f:14: bean references");
    }

    static Stream<String> unsafeSteps() {
        return Stream.of("- bean:\n                ref: store", "- process:\n                ref: store",
                "- setBody:\n                groovy: \"1\"", "- setBody:\n                simple: \"${bean:store}\"",
                "- setBody:\n                simple: \"${exchange.context}\"", "- log: \"{{env:GITHUB_TOKEN}}\"",
                "- setBody:\n                simple: \"${sysenv.HOME}\"", "- to: \"sql:select 1\"",
                "- to: \"${header.target}\"", "- toD: \"file:/etc?fileName=passwd\"",
                "- to:\n                uri: controlbus:route?action=stop",
                "- recipientList:\n                simple: \"${header.to}\"");
    }

    @ParameterizedTest
    @MethodSource("unsafeSteps")
    void stepsThatCallCodeOrReachOutsideAreProblemsNamingTheLine(String step) {
        assertThat(RouteSafety.problems("f", ROUTE.formatted(step))).singleElement().asString().matches("f:[89]: .+");
    }

    @Test
    void theTopLevelHoldsRoutesOnly() {
        assertThat(RouteSafety.problems("f", "- beans:\n    - name: x\n      type: java.lang.Object\n"))
                .singleElement().asString().startsWith("f:1: \"beans\" is not allowed at the top");
        assertThat(RouteSafety.problems("f", "route:\n  id: x\n")).first().asString()
                .startsWith("f:1: a route file is a list of routes");
        assertThat(RouteSafety.problems("f", "- rest:\n    get: []\n- routeConfiguration: {}\n")).hasSize(2);
    }

    @Test
    void tagsAnchorsDepthAndSizeAreBounded() {
        assertThat(RouteSafety.problems("f", "- !!java.io.File [\"/tmp\"]\n")).isNotEmpty();
        assertThat(RouteSafety.problems("f", "- route: &r {id: x}\n- route: *r\n")).hasSize(2);
        assertThat(RouteSafety.problems("f", "[".repeat(100_000) + "]".repeat(100_000)))
                .anySatisfy(problem -> assertThat(problem).contains("nested more than " + RouteSafety.MAX_DEPTH));
        assertThat(RouteSafety.problems("f", "#".repeat(RouteSafety.MAX_CHARS + 1))).singleElement().asString()
                .contains("at most " + RouteSafety.MAX_CHARS);
        assertThat(RouteSafety.problems("f", "- route: {id: [x\n")).singleElement().asString()
                .startsWith("f: is not valid YAML");
    }

    @Test
    void aRouteDirectoryWithAnUnsafeFileLoadsNothingOfIt(@TempDir Path directory) throws Exception {
        Files.writeString(directory.resolve("a.camel.yaml"), ROUTE.formatted("- bean:\n                ref: store"));
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            assertThatThrownBy(() -> RouteFiles.load(camel, directory))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a.camel.yaml").hasMessageContaining(":8: \"bean\" is not allowed");
            assertThat(camel.getRouteDefinitions()).isEmpty();
        }
    }
}
