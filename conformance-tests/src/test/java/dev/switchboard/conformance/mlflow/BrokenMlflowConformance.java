package dev.switchboard.conformance.mlflow;

import dev.switchboard.spi.Connector;

/**
 * The MLflow conformance test with a broken connector, one flaw per nested class. Not run by Surefire (the
 * name does not end in {@code Test}); {@link BrokenConnectorTest} runs each class with the JUnit Platform
 * Launcher and asserts which tests fail.
 */
class BrokenMlflowConformance {

    static class IgnoresPageToken extends MlflowConformanceTest {
        @Override
        public Connector connector() {
            return new BrokenMlflowConnector(BrokenMlflowConnector.Flaw.IGNORES_PAGE_TOKEN);
        }
    }

    static class ChecksSignaturePresenceOnly extends MlflowConformanceTest {
        @Override
        public Connector connector() {
            return new BrokenMlflowConnector(BrokenMlflowConnector.Flaw.CHECKS_SIGNATURE_PRESENCE_ONLY);
        }
    }

    static class NonIdempotentCreate extends MlflowConformanceTest {
        @Override
        public Connector connector() {
            return new BrokenMlflowConnector(BrokenMlflowConnector.Flaw.NON_IDEMPOTENT_CREATE);
        }
    }

    static class SignaturePrefixMatches extends MlflowConformanceTest {
        @Override
        public Connector connector() {
            return new BrokenMlflowConnector(BrokenMlflowConnector.Flaw.SIGNATURE_PREFIX_MATCHES);
        }
    }

    static class AcceptsWebhooksWithoutSecret extends MlflowConformanceTest {
        @Override
        public Connector connector() {
            return new BrokenMlflowConnector(BrokenMlflowConnector.Flaw.ACCEPTS_WEBHOOKS_WITHOUT_SECRET);
        }
    }

    static class EchoesTokenInErrors extends MlflowConformanceTest {
        @Override
        public Connector connector() {
            return new BrokenMlflowConnector(BrokenMlflowConnector.Flaw.ECHOES_TOKEN_IN_ERRORS);
        }
    }
}
