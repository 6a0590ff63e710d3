package dev.switchboard.conformance.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.github.GitHubFake;
import dev.switchboard.conformance.fakes.github.GitHubWebhookSender;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pins the GitHub fake's strictness on the wire, so it stays no kinder than GitHub. */
class GitHubFakeTest {

    @Fake
    static final GitHubFake GITHUB = new GitHubFake();

    @BeforeEach
    void workflow() {
        GITHUB.requireToken("t").addWorkflow("acme/deploy", "deploy.yml", null, "model");
    }

    private static HttpResponse<String> dispatch(String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(GITHUB.apiUrl().resolve(
                "/repos/acme/deploy/actions/workflows/deploy.yml/dispatches"))
                .header("X-GitHub-Api-Version", "2022-11-28").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void dispatchAnswers200WithTheRunWhenAskedAnd204Otherwise() throws Exception {
        HttpResponse<String> details = dispatch("t", "{\"ref\":\"main\",\"inputs\":{\"model\":\"churn\"},\"return_run_details\":true}");
        assertThat(details.statusCode()).isEqualTo(200);
        assertThat(details.body()).contains("\"workflow_run_id\":").contains("\"html_url\":\"https://github.com/acme/deploy/actions/runs/");
        assertThat(dispatch("t", "{\"ref\":\"main\"}").statusCode()).isEqualTo(204);
        assertThat(GITHUB.dispatches()).hasSize(2);
    }

    @Test
    void undeclaredInputsUnknownRefsAndMissingTokensAreRefused() throws Exception {
        HttpResponse<String> undeclared = dispatch("t", "{\"ref\":\"main\",\"inputs\":{\"nope\":\"x\"}}");
        assertThat(undeclared.statusCode()).isEqualTo(422);
        assertThat(undeclared.body()).contains("Unexpected inputs provided: [nope]");
        assertThat(dispatch("t", "{\"ref\":\"release\"}").body()).contains("No ref found for: release");
        assertThat(dispatch(null, "{\"ref\":\"main\"}").statusCode()).isEqualTo(401);
        assertThat(GITHUB.dispatches()).isEmpty();
    }

    @Test
    void enterpriseServer320RefusesReturnRunDetails() throws Exception {
        GITHUB.enterpriseServer3_20();
        HttpResponse<String> response = dispatch("t", "{\"ref\":\"main\",\"return_run_details\":true}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("return_run_details");
    }

    @Test
    void webhooksAreSignedAsGitHubDocumentsWithItsTestVector() {
        GitHubWebhookSender.Delivery delivery = new GitHubWebhookSender("It's a Secret to Everybody")
                .delivery("ping", "Hello, World!");
        assertThat(delivery.headers()).containsEntry("X-Hub-Signature-256",
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    }
}
