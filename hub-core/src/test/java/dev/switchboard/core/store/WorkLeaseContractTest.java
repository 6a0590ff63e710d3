package dev.switchboard.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.store.WorkLeases.Lease;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.core.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Work leases, run against each supported engine by a subclass. Time moves only on the test's clock. */
abstract class WorkLeaseContractTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final String NAME = "poll:mlflow-prod";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    private final InstanceId first = InstanceId.newStart(null);
    private final InstanceId second = InstanceId.newStart(null);
    private DataSource dataSource;
    private WorkLeases leases;

    protected abstract DataSource createDataSource();

    @BeforeEach
    void openStore() {
        dataSource = createDataSource();
        leases = Store.open(dataSource, clock).leases();
    }

    @AfterEach
    void closeStore() {
        TestDatabases.close(dataSource);
    }

    @Test
    void aFreeLeaseIsAcquiredAndRecordsItsHolder() {
        Optional<Lease> lease = leases.tryAcquire(NAME, first, LEASE);

        assertThat(lease).isPresent();
        assertThat(lease.get().expiresAt()).isEqualTo(clock.instant().plus(LEASE));
        WorkLeases.Info info = leases.find(NAME).orElseThrow();
        assertThat(info.holder()).isEqualTo(first.holder());
        assertThat(info.expiresAt()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(info.heldAt(clock.instant())).isTrue();
    }

    @Test
    void aHeldLeaseIsExclusiveUntilItExpires() {
        leases.tryAcquire(NAME, first, LEASE).orElseThrow();

        assertThat(leases.tryAcquire(NAME, second, LEASE)).isEmpty();
        clock.advance(LEASE.minusMillis(1));
        assertThat(leases.tryAcquire(NAME, second, LEASE)).isEmpty();
        assertThat(leases.find(NAME).orElseThrow().holder()).isEqualTo(first.holder());
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheOldHolderCanNeitherRenewNorReleaseIt() {
        Lease old = leases.tryAcquire(NAME, first, LEASE).orElseThrow();
        clock.advance(LEASE);

        Lease taken = leases.tryAcquire(NAME, second, LEASE).orElseThrow();
        boolean oldRenewed = old.renew();
        old.release();

        assertThat(oldRenewed).isFalse();
        assertThat(leases.find(NAME).orElseThrow().holder()).isEqualTo(second.holder());
        assertThat(leases.tryAcquire(NAME, first, LEASE)).as("the old holder's release ended nothing").isEmpty();
        assertThat(taken.renew()).isTrue();
    }

    @Test
    void renewingKeepsTheLeaseBeyondItsFirstExpiry() {
        Lease lease = leases.tryAcquire(NAME, first, LEASE).orElseThrow();
        for (int beat = 0; beat < 5; beat++) {
            clock.advance(Duration.ofSeconds(20));
            assertThat(lease.renew()).isTrue();
            assertThat(leases.tryAcquire(NAME, second, LEASE)).isEmpty();
        }
        assertThat(lease.expiresAt()).isEqualTo(clock.instant().plus(LEASE));
    }

    @Test
    void aLeaseThatRanOutIsStillRenewedWhileNobodyTookItOver() {
        Lease lease = leases.tryAcquire(NAME, first, LEASE).orElseThrow();
        clock.advance(LEASE.plusSeconds(5));

        assertThat(lease.renew()).isTrue();
        assertThat(leases.tryAcquire(NAME, second, LEASE)).isEmpty();
    }

    @Test
    void aReleasedLeaseIsFreeAtOnceAndCannotBeRenewed() {
        try (Lease lease = leases.tryAcquire(NAME, first, LEASE).orElseThrow()) {
            assertThat(lease.renew()).isTrue();
        }

        Optional<Lease> next = leases.tryAcquire(NAME, second, LEASE);

        assertThat(next).isPresent();
        assertThat(leases.find(NAME).orElseThrow().holder()).isEqualTo(second.holder());
    }

    @Test
    void theSameInstanceTakesItsOwnLeaseBackAndOnlyTheNewClaimCounts() {
        Lease before = leases.tryAcquire(NAME, first, LEASE).orElseThrow();

        Lease again = leases.tryAcquire(NAME, first, LEASE).orElseThrow();

        assertThat(before.renew()).isFalse();
        assertThat(again.renew()).isTrue();
    }

    @Test
    void aRestartedInstanceTakesItsPredecessorsLeaseBackAtOnceButNotAnotherNodes() {
        InstanceId predecessor = InstanceId.newStart("hub-0");
        InstanceId restarted = InstanceId.newStart("hub-0");
        InstanceId otherNode = InstanceId.newStart("hub-1");
        leases.tryAcquire(NAME, predecessor, LEASE).orElseThrow();

        assertThat(leases.tryAcquire(NAME, otherNode, LEASE)).isEmpty();
        assertThat(leases.tryAcquire(NAME, restarted, LEASE)).isPresent();
        assertThat(leases.find(NAME).orElseThrow().holder()).isEqualTo(restarted.holder());
    }

    @Test
    void leasesWithDifferentNamesAreIndependent() {
        leases.tryAcquire("poll:a", first, LEASE).orElseThrow();

        assertThat(leases.tryAcquire("poll:b", second, LEASE)).isPresent();
        assertThat(leases.tryAcquire("poll:a", second, LEASE)).isEmpty();
    }

    @Test
    void instancesRacingForAnExpiredLeaseLeaveExactlyOneHolder() throws Exception {
        leases.tryAcquire(NAME, InstanceId.newStart(null), LEASE).orElseThrow();
        clock.advance(LEASE.plusSeconds(1));
        int racers = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<Optional<Lease>>> results = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                InstanceId racer = InstanceId.newStart(null);
                Callable<Optional<Lease>> attempt = () -> {
                    go.await();
                    return leases.tryAcquire(NAME, racer, LEASE);
                };
                results.add(pool.submit(attempt));
            }
            go.countDown();
            List<Lease> winners = new ArrayList<>();
            for (Future<Optional<Lease>> result : results) {
                result.get().ifPresent(winners::add);
            }

            assertThat(winners).hasSize(1);
            assertThat(winners.get(0).renew()).isTrue();
            assertThat(leases.find(NAME).orElseThrow().holder()).isEqualTo(winners.get(0).holder().holder());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void instancesRacingForANewLeaseLeaveExactlyOneHolder() throws Exception {
        int racers = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<Optional<Lease>>> results = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                InstanceId racer = InstanceId.newStart(null);
                results.add(pool.submit(() -> {
                    go.await();
                    return leases.tryAcquire("poll:new", racer, LEASE);
                }));
            }
            go.countDown();
            long winners = 0;
            for (Future<Optional<Lease>> result : results) {
                winners += result.get().isPresent() ? 1 : 0;
            }

            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
