package dev.switchboard.conformance;

import dev.switchboard.conformance.fakes.StandIn;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;

/** Runs the {@link Fake} fields of a test class: start before all, reset before each, stop after all. */
final class FakeExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        JUnitRequirement.check();
        for (StandIn standIn : standIns(context.getRequiredTestClass())) {
            standIn.start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        // A @Nested class's tests reset the stand-ins of the classes that enclose it as well.
        for (Class<?> type = context.getRequiredTestClass(); type != null; type = type.getEnclosingClass()) {
            for (StandIn standIn : standIns(type)) {
                standIn.reset();
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<StandIn> standIns = standIns(context.getRequiredTestClass());
        RuntimeException failure = null;
        for (int i = standIns.size() - 1; i >= 0; i--) {
            try {
                standIns.get(i).stop();
            } catch (RuntimeException e) { // stop every stand-in, S3Proxy's child JVM above all, then report
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static List<StandIn> standIns(Class<?> testClass) {
        List<StandIn> standIns = new ArrayList<>();
        for (Field field : AnnotationSupport.findAnnotatedFields(testClass, Fake.class, f -> true,
                HierarchyTraversalMode.TOP_DOWN)) {
            String name = testClass.getSimpleName() + "." + field.getName();
            if (!ModifierSupport.isStatic(field)) {
                throw new ExtensionConfigurationException("@Fake field " + name + " must be static: a stand-in "
                        + "starts once per test class and is reset before each test");
            }
            if (!StandIn.class.isAssignableFrom(field.getType())) {
                throw new ExtensionConfigurationException("@Fake field " + name + " is a " + field.getType().getName()
                        + ", not a " + StandIn.class.getName());
            }
            try {
                field.setAccessible(true);
                StandIn standIn = (StandIn) field.get(null);
                if (standIn == null) {
                    throw new ExtensionConfigurationException("@Fake field " + name + " is null");
                }
                standIns.add(standIn);
            } catch (IllegalAccessException e) {
                throw new ExtensionConfigurationException("cannot read @Fake field " + name, e);
            }
        }
        return standIns;
    }
}
