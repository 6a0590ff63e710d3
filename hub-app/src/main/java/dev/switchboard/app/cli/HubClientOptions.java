package dev.switchboard.app.cli;

import dev.switchboard.client.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a command reaches a running hub: its URL and admin token, and whether to print JSON. */
final class HubClientOptions {

    @Option(names = "--url", defaultValue = "${SWITCHBOARD_URL:-http://localhost:8080}",
            description = "The hub's base URL (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", defaultValue = "${SWITCHBOARD_TOKEN}",
            description = "The admin API token (default: $SWITCHBOARD_TOKEN, else the file --token-file).")
    String token;

    @Option(names = "--token-file", defaultValue = "data/admin-token",
            description = "Where a hub started in this directory keeps its generated token (default: ${DEFAULT-VALUE}).")
    Path tokenFile;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    ApiClient client() {
        ApiClient client = new ApiClient();
        client.updateBaseUri(url.replaceAll("/+$", ""));
        String bearer = bearer();
        if (bearer != null) {
            client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + bearer));
        }
        return client;
    }

    /** The admin token to send, or null when none is given and no token file exists. */
    String bearer() {
        return token != null && !token.isBlank() ? token : readTokenFile();
    }

    private String readTokenFile() {
        try {
            return Files.isReadable(tokenFile) ? Files.readString(tokenFile).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
