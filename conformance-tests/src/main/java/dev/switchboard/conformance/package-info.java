/**
 * The conformance kit: abstract JUnit 6 suites that every connector of a capability must pass.
 *
 * <p>Each suite is an interface with {@code @Test} default methods ({@link dev.switchboard.conformance.ConfigSuite},
 * {@link dev.switchboard.conformance.ModelRegistrySuite}, {@link dev.switchboard.conformance.WebhookEventSourceSuite},
 * {@link dev.switchboard.conformance.PollingEventSourceSuite}, {@link dev.switchboard.conformance.ArtifactStoreSuite},
 * {@link dev.switchboard.conformance.ActionTargetSuite}), so one test class can implement all the suites its
 * connector claims. The class usually extends {@link dev.switchboard.conformance.ConnectorHarness} and supplies
 * the connector, its claimed capabilities and fidelity, a configuration and the fixtures each suite asks for.
 * Suites for what authors get wrong cut across capabilities: {@link dev.switchboard.conformance.SecretHandlingSuite},
 * {@link dev.switchboard.conformance.EventContentSuite} (golden examples), {@link
 * dev.switchboard.conformance.CheckSuite} and {@link dev.switchboard.conformance.ErrorClassificationSuite}.
 *
 * <p>{@link dev.switchboard.conformance.SuiteRun} is the broken-connector harness: it runs a test class with a
 * deliberately broken connector and reports which tests failed, so an author proves the suites can fail.
 * {@link dev.switchboard.conformance.Fake} gives the JUnit-free fakes of {@code conformance-fakes} their lifecycle.
 * The kit needs JUnit 6 and says so ({@link dev.switchboard.conformance.JUnitRequirement}).
 *
 * <p>Tests of capabilities or fields the class does not claim are skipped with a stated reason (JUnit
 * assumptions), never passed silently. Stateful fakes of vendor APIs to run the suites against, offline, live
 * in {@code dev.switchboard.conformance.fakes}. See {@code docs/connector-guide.md}.
 */
package dev.switchboard.conformance;
