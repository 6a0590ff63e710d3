package dev.switchboard.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kit's one requirement on its test framework: JUnit Jupiter 6.x (JUnit Platform 6.x).
 *
 * <p>The kit is compiled and tested against JUnit 6. Under JUnit 5 (a build that imports a BOM pinning it, such as
 * Spring Boot 3's, after {@code switchboard-bom}) the JUnit jars end up mixed and discovery fails with an error
 * that names an internal JUnit method, not the cause. {@link JUnitRequirementListener}, registered through
 * {@code ServiceLoader}, checks when the JUnit Platform opens its session, before any engine discovers anything,
 * and stops the run with a message that says what is wrong and how to fix it; {@link Fake} fields and {@link
 * ConnectorHarness} check again, for launchers that skip session listeners.
 */
public final class JUnitRequirement {

    /** The JUnit major version the kit is built and tested with. */
    public static final int REQUIRED_MAJOR = 6;

    private static final String[][] PARTS = {
            {"junit-jupiter-api", "org.junit.jupiter.api.Test"},
            {"junit-jupiter-engine", "org.junit.jupiter.engine.JupiterTestEngine"},
            {"junit-platform-commons", "org.junit.platform.commons.support.ReflectionSupport"},
            {"junit-platform-engine", "org.junit.platform.engine.TestEngine"},
            {"junit-platform-launcher", "org.junit.platform.launcher.Launcher"},
    };

    private JUnitRequirement() {
    }

    /**
     * Fails unless every JUnit jar present is of {@link #REQUIRED_MAJOR}.
     *
     * @throws IllegalStateException naming each JUnit jar of another version, and the fix
     */
    public static void check() {
        List<String> found = new ArrayList<>();
        for (String[] part : PARTS) {
            version(part[1]).ifPresent(version -> found.add(part[0] + " " + version));
        }
        problem(found).ifPresent(message -> {
            throw new IllegalStateException(message);
        });
    }

    /**
     * The message for the JUnit jars found ({@code "junit-jupiter-api 5.14.1"}, one per jar whose version is
     * known), or empty when all are of {@link #REQUIRED_MAJOR}.
     */
    static Optional<String> problem(List<String> found) {
        List<String> wrong = found.stream().filter(part -> !part.substring(part.lastIndexOf(' ') + 1)
                .startsWith(REQUIRED_MAJOR + ".")).toList();
        if (wrong.isEmpty()) {
            return Optional.empty();
        }
        String version = wrong.get(0).substring(wrong.get(0).lastIndexOf(' ') + 1);
        String major = version.contains(".") ? version.substring(0, version.indexOf('.')) : version;
        // JUnit 5's platform jars are numbered 1.x; name the Jupiter generation the user knows.
        String generation = major.equals("1") ? "5" : major;
        return Optional.of("the Switchboard conformance kit needs JUnit Jupiter " + REQUIRED_MAJOR + ".x; found "
                + generation + ".x (" + String.join(", ", wrong) + "). Import dev.switchboard:switchboard-bom "
                + "before any BOM that pins JUnit 5 (Spring Boot 3's does), or import org.junit:junit-bom "
                + REQUIRED_MAJOR + ".x yourself; see docs/connector-guide.md, section 2.");
    }

    private static Optional<String> version(String className) {
        try {
            Package p = Class.forName(className, false, JUnitRequirement.class.getClassLoader()).getPackage();
            return Optional.ofNullable(p == null ? null : p.getImplementationVersion());
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
    }
}
