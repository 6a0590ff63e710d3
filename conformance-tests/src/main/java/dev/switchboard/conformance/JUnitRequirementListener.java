package dev.switchboard.conformance;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Checks {@link JUnitRequirement} as the JUnit Platform opens a session, before discovery; registered in
 * {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener} of the kit's jar.
 */
public final class JUnitRequirementListener implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        JUnitRequirement.check();
    }
}
