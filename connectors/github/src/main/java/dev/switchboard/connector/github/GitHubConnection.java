package dev.switchboard.connector.github;

import dev.switchboard.connector.github.internal.GitHubClient;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.WebhookRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** One open GitHub connection: one HTTP client, the actions and the webhook receiver sharing what was dispatched. */
final class GitHubConnection implements Connection {

    private final GitHubOptions.Settings settings;
    private final GitHubClient client;
    private final GitHubActions actions;
    private final EventSource events;

    GitHubConnection(GitHubOptions.Settings settings, ConnectorContext context) {
        this.settings = settings;
        this.client = new GitHubClient(settings.apiUrl(), settings.token(), settings.apiVersion(),
                settings.requestTimeout());
        GitHubMapper mapper = new GitHubMapper(settings.connection());
        GitHubRuns runs = new GitHubRuns();
        this.actions = new GitHubActions(settings, client, mapper, runs, context.clock());
        GitHubWebhooks webhooks = new GitHubWebhooks(settings.connection(), settings.webhookSecret(), context.clock(),
                mapper, runs);
        this.events = new EventSource() {
            @Override
            public List<CanonicalEvent> receive(WebhookRequest request) {
                return webhooks.receive(request);
            }

            /** Runs are reported by webhooks; {@link ActionTarget#status} reads one run on demand. */
            @Override
            public PollResult poll(String cursor) {
                return new PollResult(List.of(), cursor);
            }
        };
    }

    @Override
    public String name() {
        return settings.connection();
    }

    /** Reads the repository (or, without one, the API root): proves the URL, the token and its access. */
    @Override
    public CheckResult check(Duration timeout) {
        long start = System.nanoTime();
        String path = settings.repository().map(repo -> "/repos/" + repo).orElse("/");
        try {
            GitHubClient.Response response = new GitHubClient(settings.apiUrl(), settings.token(),
                    settings.apiVersion(), timeout).send("GET", path, null);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            return response.ok() ? CheckResult.ok("GitHub answered for " + settings, took)
                    : CheckResult.failed(GitHubErrors.fromResponse(name(), "GET " + path, response.status(),
                    response.headers(), response.text(), java.time.Clock.systemUTC()).getMessage(), took);
        } catch (IOException e) {
            return CheckResult.failed(GitHubErrors.fromIo(name(), "GET " + path, e).getMessage(),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    @Override
    public Optional<EventSource> eventSource() {
        return Optional.of(events);
    }

    @Override
    public Optional<ActionTarget> actionTarget() {
        return Optional.of(actions);
    }

    @Override
    public void close() {
        client.close();
    }
}
