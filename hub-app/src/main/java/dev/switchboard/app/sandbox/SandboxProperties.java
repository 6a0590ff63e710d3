package dev.switchboard.app.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code switchboard.sandbox}: stand-ins for MLflow, SageMaker, S3 and GitHub that the hub runs itself, so the
 * quickstart works offline. Off unless {@code enabled: true}; never turn it on in production.
 */
@ConfigurationProperties("switchboard.sandbox")
public class SandboxProperties {

    private boolean enabled;
    /** MLflow listens on this port, SageMaker on +1, S3 on +2, GitHub on +3 (all on 127.0.0.1). */
    private int basePort = 18080;
    /** How long after a dispatch the sandbox's GitHub completes the workflow run. */
    private Duration runDuration = Duration.ofSeconds(2);
    /** The conclusion of every sandbox workflow run: success, failure, cancelled. */
    private String runConclusion = "success";
    /** S3Proxy's self-contained jar, which the build copies there; the local Maven repository is the fallback. */
    private Path s3proxyJar = Path.of("hub-app/target/s3proxy/s3proxy.jar");

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getBasePort() {
        return basePort;
    }

    public void setBasePort(int basePort) {
        this.basePort = basePort;
    }

    public Duration getRunDuration() {
        return runDuration;
    }

    public void setRunDuration(Duration runDuration) {
        this.runDuration = runDuration;
    }

    public String getRunConclusion() {
        return runConclusion;
    }

    public void setRunConclusion(String runConclusion) {
        this.runConclusion = runConclusion;
    }

    public Path getS3proxyJar() {
        return s3proxyJar;
    }

    public void setS3proxyJar(Path s3proxyJar) {
        this.s3proxyJar = s3proxyJar;
    }
}
