package archfixture.app;

import archfixture.connector.alpha.AlphaConnector;

/** Fixture: the app uses a connector, which uses the app back: a cycle. */
public class AppHook {

    AlphaConnector connector;
}
