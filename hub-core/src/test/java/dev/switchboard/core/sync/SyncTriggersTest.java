package dev.switchboard.core.sync;

import static dev.switchboard.core.sync.SyncHarness.registry;
import static dev.switchboard.core.sync.SyncHarness.seed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.spi.PageRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncTriggersTest {

    @TempDir
    Path directory;

    private SyncHarness hub;

    @BeforeEach
    void openHub() {
        hub = SyncHarness.fresh(TestDatabases.h2(directory))
                .connection("a", InMemoryRegistryConnector.TYPE)
                .connection("b", InMemoryRegistryConnector.TYPE)
                .job(SyncJobSpec.of("on-alias", "a", "b")
                        .withTrigger(new SyncJobSpec.Trigger(null, Set.of("model_version.alias_set"))))
                .job(SyncJobSpec.of("every-second", "b", "a")
                        .withTrigger(new SyncJobSpec.Trigger(Duration.ofSeconds(1), null)));
        seed(registry("a"), "a", 2, 2);
    }

    @AfterEach
    void closeHub() {
        hub.close();
    }

    @Test
    void anEventFromTheSourceRunsTheJobAtOnceAndOtherSourcesDoNot() {
        SyncService sync = hub.restart();
        try (SyncTriggers triggers = new SyncTriggers(sync, java.time.Clock.systemUTC())) {
            triggers.start();
            hub.store().inbox().append(List.of(TestEvents.aliasSet("b", "e-1", "model-000", "1", "champion")));
            hub.store().inbox().append(List.of(TestEvents.aliasSet("a", "e-2", "model-000", "1", "champion")));

            await().atMost(Duration.ofSeconds(20)).until(() -> registry("b").versionCount() == 4);
            assertThat(sync.runs("on-alias", PageRequest.first(10)).items()).hasSize(1);
        }
    }

    @Test
    void anIntervalRunsTheJobRepeatedly() {
        SyncService sync = hub.restart();
        try (SyncTriggers triggers = new SyncTriggers(sync, java.time.Clock.systemUTC())) {
            triggers.start();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> sync.runs("every-second", PageRequest.first(10)).items().size() >= 2);
        }
        assertThat(sync.runs("on-alias", PageRequest.first(10)).items()).isEmpty();
    }
}
