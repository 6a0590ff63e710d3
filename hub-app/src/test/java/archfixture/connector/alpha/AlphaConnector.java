package archfixture.connector.alpha;

import archfixture.app.AppHook;
import archfixture.connector.beta.internal.BetaClient;

/** Fixture: a connector that reaches into another connector's internals and into the app. */
public class AlphaConnector {

    BetaClient client = new BetaClient();
    AppHook hook;
}
