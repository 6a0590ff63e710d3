package dev.switchboard.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts the real application in the test JVM with a switchboard.yaml written by the test. */
public final class HubRunner {

    private HubRunner() {
    }

    /**
     * Writes {@code yaml} to {@code directory/switchboard.yaml} and starts the hub on a free port with it.
     *
     * @param jdbcUrl the database, or {@code null} for the embedded H2 default under {@code directory/data}
     */
    public static ConfigurableApplicationContext start(Path directory, String yaml, String jdbcUrl) throws IOException {
        Path config = Files.writeString(directory.resolve("switchboard.yaml"), yaml);
        List<String> args = new ArrayList<>(List.of(
                "--SWITCHBOARD_CONFIG=" + config,
                "--server.port=0",
                "--switchboard.data-dir=" + directory.resolve("data")));
        if (jdbcUrl != null) {
            args.add("--spring.datasource.url=" + jdbcUrl);
            args.add("--spring.datasource.username=postgres");
            args.add("--spring.datasource.password=postgres");
        }
        return new SpringApplicationBuilder(SwitchboardApplication.class).run(args.toArray(String[]::new));
    }

    /** The started hub's base URL on the loopback. */
    public static String url(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** A generated API client for the started hub, sending {@code token} as the admin bearer token. */
    public static dev.switchboard.client.ApiClient client(ConfigurableApplicationContext context, String token) {
        dev.switchboard.client.ApiClient client = new dev.switchboard.client.ApiClient();
        client.updateBaseUri(url(context));
        client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
        return client;
    }

    public static String get(ConfigurableApplicationContext context, String path) throws Exception {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
