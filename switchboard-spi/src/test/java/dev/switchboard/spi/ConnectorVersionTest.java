package dev.switchboard.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A connector's version comes from the manifest of the jar it was loaded from, never from a literal in its code. */
class ConnectorVersionTest {

    @Test
    void aClassFromAJarReportsItsManifestsImplementationVersion() {
        // JUnit's own jar writes Implementation-Version, as every jar of this build does.
        assertThat(Connector.versionOf(Test.class)).matches("\\d+\\.\\d+.*")
                .isEqualTo(Test.class.getPackage().getImplementationVersion());
    }

    @Test
    void aClassRunFromAClassesFolderIsUnpackaged() {
        assertThat(Connector.versionOf(ConnectorVersionTest.class)).isEqualTo(Connector.UNPACKAGED_VERSION);
    }
}
