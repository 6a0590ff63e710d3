package dev.switchboard.sandbox;

import dev.switchboard.conformance.fakes.StandIn;
import dev.switchboard.conformance.fakes.github.GitHubFake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
import dev.switchboard.conformance.fakes.sagemaker.SageMakerFake;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The sandbox's four stand-ins on consecutive loopback ports: MLflow on the base port, SageMaker on +1, S3 (S3Proxy,
 * a child JVM) on +2 and GitHub on +3, whose dispatched workflow runs finish by themselves and report back by
 * webhook, as a CI runner would.
 *
 * <p>They keep their state in memory and accept any credentials except S3's, which are the ones configured. The
 * hub's sandbox mode resolves the settings from its configuration; this class knows nothing of the hub.
 */
public final class StandIns {

    /** The workflow the shipped route dispatches, with the inputs it sends. */
    public static final String WORKFLOW = "deploy.yml";
    /**
     * S3Proxy starts while the hub does, on the same cores: it runs on the client compiler and the serial collector,
     * which takes about 40% less CPU to start (1.7 s instead of 2.9 s measured) and is plenty for demo artifacts.
     * These flags are S3Proxy's only; the hub's JVM is started as its user chooses.
     */
    public static final List<String> S3PROXY_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
            "-XX:+UseSerialGC", "-Xshare:auto");

    /**
     * What the stand-ins need to know.
     *
     * @param basePort            MLflow's port; the others follow
     * @param s3proxyJar          S3Proxy's self-contained jar (if missing, the local Maven repository's)
     * @param mlflowWebhookSecret the secret MLflow signs webhooks with, or null to send none
     * @param bucket              the S3 bucket to create
     * @param s3AccessKeyId       the access key S3 accepts
     * @param s3SecretAccessKey   its secret
     * @param githubRepository    the repository that holds {@link #WORKFLOW}
     * @param githubWebhookSecret the secret GitHub signs webhooks with, or null to send none
     * @param runDuration         how long after a dispatch a workflow run completes
     * @param runConclusion       the conclusion of every run ({@code success}, {@code failure}, {@code cancelled})
     */
    public record Settings(int basePort, Path s3proxyJar, String mlflowWebhookSecret, String bucket,
            String s3AccessKeyId, String s3SecretAccessKey, String githubRepository, String githubWebhookSecret,
            Duration runDuration, String runConclusion) {
    }

    private final Settings settings;
    private final MlflowFake mlflow = new MlflowFake();
    private final SageMakerFake sagemaker = new SageMakerFake();
    private final GitHubFake github = new GitHubFake();
    private S3ProxyServer s3;

    public StandIns(Settings settings) {
        this.settings = settings;
    }

    /**
     * Starts every stand-in and returns once they all listen.
     *
     * @throws IllegalStateException naming the ports when one cannot start; the others are stopped again
     */
    public synchronized void start() {
        int base = settings.basePort();
        try {
            mlflow.start(base);
            if (settings.mlflowWebhookSecret() != null) {
                mlflow.registerWebhook(null, settings.mlflowWebhookSecret());
            }
            sagemaker.start(base + 1);
            s3 = new S3ProxyServer(settings.bucket()).withPort(base + 2).withJar(settings.s3proxyJar())
                    .withCredentials(settings.s3AccessKeyId(), settings.s3SecretAccessKey())
                    .withJvmOptions(S3PROXY_JVM_OPTIONS);
            s3.start();
            github.start(base + 3);
            github.addWorkflow(settings.githubRepository(), WORKFLOW,
                    "deploy model=${{ inputs.model }} version=${{ inputs.version }}", "model", "version", "alias");
            github.autoCompleteRuns(settings.runDuration(), settings.runConclusion());
            if (settings.githubWebhookSecret() != null) {
                github.registerWebhook(null, settings.githubWebhookSecret());
            }
        } catch (Exception e) { // WireMock and Jetty may rethrow checked exceptions unchecked
            stop();
            throw new IllegalStateException("cannot start the sandbox on ports " + base + "-" + (base + 3)
                    + " (switchboard.sandbox.base-port): " + e.getMessage(), e);
        }
    }

    /** Sends MLflow's webhooks to {@code url} (null: record them only), signed with its configured secret. */
    public synchronized void sendMlflowWebhooksTo(URI url) {
        mlflow.registerWebhook(url, settings.mlflowWebhookSecret());
    }

    /** Sends GitHub's webhooks to {@code url} (null: record them only), signed with its configured secret. */
    public synchronized void sendGitHubWebhooksTo(URI url) {
        github.registerWebhook(url, settings.githubWebhookSecret());
    }

    /**
     * Stops every stand-in, each on its own: one that fails to stop (WireMock throws when stopping a server whose
     * start failed) neither hides why the start failed nor leaves the others, S3Proxy's JVM above all, running.
     *
     * @return the stand-ins that failed to stop, with why ({@code "S3Proxy: ..."}); empty when all stopped
     */
    public synchronized List<String> stop() {
        List<String> failures = new ArrayList<>();
        stopQuietly("GitHub", github, failures);
        if (s3 != null) {
            stopQuietly("S3Proxy", s3, failures);
        }
        stopQuietly("SageMaker", sagemaker, failures);
        stopQuietly("MLflow", mlflow, failures);
        return failures;
    }

    private static void stopQuietly(String name, StandIn standIn, List<String> failures) {
        try {
            standIn.stop();
        } catch (Exception e) { // Jetty rethrows checked exceptions unchecked
            failures.add(name + ": " + e);
        }
    }
}
