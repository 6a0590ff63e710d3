package archfixture.connector.beta.internal;

/** Fixture: another connector's private HTTP client. */
public class BetaClient {
}
