package dev.switchboard.core.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code switchboard:} component's Camel catalog entry, read the way Camel tooling reads it (by scheme, through
 * the component's service file), and checked against the annotations it is generated from: a changed
 * {@code @UriParam} whose generated files were not rebuilt and committed fails here.
 */
class SwitchboardCatalogTest {

    private static JsonNode catalog() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            String json = context.getComponentParameterJsonSchema(SwitchboardComponent.SCHEME);
            assertThat(json).as("catalog JSON of switchboard").isNotNull();
            return JsonMapper.builder().build().readTree(json);
        }
    }

    @Test
    void theCatalogListsSwitchboardWithItsEndpointOptions() throws Exception {
        JsonNode catalog = catalog();

        JsonNode component = catalog.get("component");
        assertThat(component.get("scheme").asString()).isEqualTo("switchboard");
        assertThat(component.get("syntax").asString()).isEqualTo("switchboard:target");
        assertThat(component.get("javaType").asString()).isEqualTo(SwitchboardComponent.class.getName());
        assertThat(component.get("lenientProperties").asBoolean())
                .as("action parameters are the connector's, so the endpoint must be lenient").isTrue();
        JsonNode properties = catalog.get("properties");
        assertThat(properties.get("target").get("kind").asString()).isEqualTo("path");
        assertThat(properties.get("target").get("required").asBoolean()).isTrue();
        assertThat(properties.get("startAt").get("type").asString()).isEqualTo("enum");
        assertThat(properties.get("startAt").get("enum").valueStream().map(JsonNode::asString).toList())
                .containsExactly("end", "beginning");
        assertThat(properties.get("concurrency").get("defaultValue").asInt()).isEqualTo(32);
        assertThat(properties.propertyNames()).contains("type", "source", "pollIntervalMs");
    }

    @Test
    void everyAnnotatedOptionIsInTheCatalogWithItsDescription() throws Exception {
        JsonNode properties = catalog().get("properties");
        List<Field> options = new ArrayList<>();
        for (Field field : EventsEndpoint.class.getDeclaredFields()) {
            if (field.isAnnotationPresent(UriParam.class) || field.isAnnotationPresent(UriPath.class)) {
                options.add(field);
            }
        }

        assertThat(options).hasSizeGreaterThanOrEqualTo(6);
        for (Field field : options) {
            String description = field.isAnnotationPresent(UriParam.class)
                    ? field.getAnnotation(UriParam.class).description()
                    : field.getAnnotation(UriPath.class).description();
            assertThat(properties.has(field.getName())).as("catalog has option " + field.getName()).isTrue();
            assertThat(properties.get(field.getName()).get("description").asString())
                    .as("description of " + field.getName() + " (regenerate: ./mvnw -pl hub-core -am process-classes)")
                    .isEqualTo(description);
        }
    }

    @Test
    void everyHeaderConstantIsDocumentedInTheCatalog() throws Exception {
        JsonNode headers = catalog().get("headers");
        List<Field> constants = Arrays.stream(SwitchboardHeaders.class.getDeclaredFields())
                .filter(field -> Modifier.isStatic(field.getModifiers()) && field.getType() == String.class)
                .toList();

        assertThat(constants).isNotEmpty();
        for (Field constant : constants) {
            assertThat(constant.isAnnotationPresent(Metadata.class)).as(constant.getName() + " has @Metadata").isTrue();
            String name = (String) constant.get(null);
            assertThat(headers.has(name)).as("catalog documents header " + name).isTrue();
            assertThat(headers.get(name).get("description").asString())
                    .isEqualTo(constant.getAnnotation(Metadata.class).description());
        }
    }
}
