package dev.switchboard.app.architecture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The guard rails hold for the whole product, and each one catches a deliberate violation in a fixture. */
class ArchitectureTest {

    private static JavaClasses product;
    private static JavaClasses fixture;

    @BeforeAll
    static void importClasses() {
        // Test code (this module's test classes and other modules' test jars) is not the product.
        product = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.switchboard");
        fixture = new ClassFileImporter().importPackages("archfixture");
    }

    @Test
    void theProductHasNoPackageCycles() {
        ArchitectureRules.noPackageCycles("dev.switchboard").check(product);
    }

    @Test
    void theCanonicalModelDependsOnlyOnTheJdkAndJacksonAnnotations() {
        ArchitectureRules.canonicalModelIsPure("dev.switchboard").check(product);
    }

    @Test
    void connectorsDependOnNoOtherConnectorAndNotOnTheApp() {
        ArchitectureRules.connectorsAreIndependent("dev.switchboard").allowEmptyShould(true).check(product);
        ArchitectureRules.connectorsDoNotUseTheApp("dev.switchboard").allowEmptyShould(true).check(product);
    }

    @Test
    void internalPackagesAreUsedOnlyInsideTheirModule() {
        ArchitectureRules.internalPackagesStayInside("dev.switchboard").check(product);
    }

    @Test
    void eachRuleCatchesItsDeliberateViolationInTheFixture() {
        assertThatThrownBy(() -> ArchitectureRules.canonicalModelIsPure("archfixture").check(fixture))
                .hasMessageContaining("LeakyRecord").hasMessageContaining("JdbcTemplate")
                .hasMessageContaining("put framework code in hub-core");
        assertThatThrownBy(() -> ArchitectureRules.connectorsAreIndependent("archfixture").check(fixture))
                .hasMessageContaining("AlphaConnector").hasMessageContaining("never another connector");
        assertThatThrownBy(() -> ArchitectureRules.connectorsDoNotUseTheApp("archfixture").check(fixture))
                .hasMessageContaining("AppHook");
        assertThatThrownBy(() -> ArchitectureRules.internalPackagesStayInside("archfixture").check(fixture))
                .hasMessageContaining("BetaClient");
        assertThatThrownBy(() -> ArchitectureRules.noPackageCycles("archfixture").check(fixture))
                .hasMessageContaining("Cycle");
    }
}
