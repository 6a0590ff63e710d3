package dev.switchboard.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The project's guard rails, as ArchUnit rules over a root package (so a test can also aim them at a fixture
 * package with deliberate violations). Each rule says in {@code because} how to fix a violation.
 */
final class ArchitectureRules {

    private ArchitectureRules() {
    }

    static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(**)").should().beFreeOfCycles()
                .because("data flows model -> core -> connectors -> routes -> app; a cycle means something points "
                        + "back up: move the shared type down to the lower package");
    }

    static ArchRule canonicalModelIsPure(String root) {
        return classes().that().resideInAPackage(root + ".model..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(root + ".model..", "java..",
                        "com.fasterxml.jackson.annotation..")
                .because("the canonical model is shared by every connector and plugin; it may use the JDK and "
                        + "Jackson annotations only - put framework code in hub-core");
    }

    static ArchRule connectorsAreIndependent(String root) {
        return slices().matching(root + ".connector.(*)..").should().notDependOnEachOther()
                .because("a connector uses hub-core's SPI only; to reach another tool's artifacts ask the "
                        + "ArtifactResolver in ConnectorContext, never another connector");
    }

    static ArchRule connectorsDoNotUseTheApp(String root) {
        return noClasses().that().resideInAPackage(root + ".connector..")
                .should().dependOnClassesThat().resideInAPackage(root + ".app..")
                .because("connectors run inside any host of the SPI (the app, the conformance kit, a CLI); "
                        + "pass what they need through ConnectorContext");
    }

    static ArchRule internalPackagesStayInside(String root) {
        return classes().that().resideInAPackage(root + "..")
                .should(new ArchCondition<JavaClass>("use internal packages only from their own module's packages") {
                    @Override
                    public void check(JavaClass origin, ConditionEvents events) {
                        for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                            String target = dependency.getTargetClass().getPackageName();
                            int internal = target.indexOf(".internal");
                            if (internal < 0) {
                                continue;
                            }
                            String owner = target.substring(0, internal);
                            if (!origin.getPackageName().equals(owner) && !origin.getPackageName().startsWith(owner + ".")) {
                                events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                            }
                        }
                    }
                })
                .because("an internal package holds a module's private types (a tool's DTOs and HTTP client); "
                        + "only canonical and SPI types cross a module's boundary");
    }
}
