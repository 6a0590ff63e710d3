package dev.switchboard.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.core.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

class GroupCommitTest {

    @TempDir
    Path directory;

    private HikariDataSource dataSource;
    private JdbcTemplate jdbc;
    private final AtomicInteger commits = new AtomicInteger();
    private TransactionTemplate tx;
    private GroupCommit groupCommit;
    private final ExecutorService callers = Executors.newFixedThreadPool(16);

    @BeforeEach
    void open() {
        dataSource = TestDatabases.h2(directory);
        jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("CREATE TABLE item (name VARCHAR(20) PRIMARY KEY)");
        tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource) {
            @Override
            protected void doCommit(DefaultTransactionStatus status) {
                commits.incrementAndGet();
                super.doCommit(status);
            }
        });
        groupCommit = new GroupCommit(tx);
    }

    @AfterEach
    void close() throws InterruptedException {
        callers.shutdownNow();
        callers.awaitTermination(10, TimeUnit.SECONDS);
        TestDatabases.close(dataSource);
    }

    @Test
    void concurrentUnitsShareCommitsAndEachReturnsItsOwnResultAfterTheCommit() throws Exception {
        CountDownLatch firstUnitRunning = new CountDownLatch(1);
        CountDownLatch othersQueued = new CountDownLatch(1);
        // The first unit holds the writer until the others are queued, so they must form a group behind it.
        Future<Integer> first = callers.submit(() -> groupCommit.execute(() -> {
            insert("item-0");
            firstUnitRunning.countDown();
            await(othersQueued);
            return 0;
        }));
        assertThat(firstUnitRunning.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<Integer>> others = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            int n = i;
            others.add(callers.submit(() -> groupCommit.execute(() -> {
                insert("item-" + n);
                return n;
            })));
        }
        Thread.sleep(200); // let the callers queue up (the assertion below holds however many made it)
        othersQueued.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isZero();
        for (int i = 0; i < others.size(); i++) {
            assertThat(others.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i + 1);
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM item", Integer.class)).isEqualTo(41);
        assertThat(commits.get()).isLessThan(41).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aFailingUnitFailsOnlyItsOwnCallerAndLeavesNothingOfItsOwn() throws Exception {
        CountDownLatch othersQueued = new CountDownLatch(1);
        Future<String> first = firstHoldingTheWriterUntil(othersQueued);
        Future<String> good = callers.submit(() -> groupCommit.execute(() -> {
            insert("good");
            return "good";
        }));
        Future<String> bad = callers.submit(() -> groupCommit.execute(() -> {
            insert("bad");
            throw new IllegalStateException("unit broke");
        }));
        Thread.sleep(200);
        othersQueued.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(good.get(10, TimeUnit.SECONDS)).isEqualTo("good");
        assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IllegalStateException.class)
                .rootCause().hasMessage("unit broke");
        assertThat(jdbc.queryForList("SELECT name FROM item ORDER BY name", String.class))
                .containsExactly("first", "good");
    }

    @Test
    void aUnitInsideTheCallersTransactionRunsThereAndRollsBackWithIt() {
        assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
            groupCommit.execute(() -> insert("inner"));
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM item", Integer.class)).isEqualTo(1);
            throw new IllegalStateException("caller gives up");
        })).hasMessage("caller gives up");

        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM item", Integer.class)).isZero();
    }

    @Test
    void aUnitThatGoesOnAfterTheDatabaseRolledTheGroupBackCannotLoseTheOtherUnitsWrites() throws Exception {
        groupCommit = new GroupCommit(tx, () -> jdbc.queryForObject("SELECT TRANSACTION_ID()", Object.class),
                Duration.ZERO);
        CountDownLatch othersQueued = new CountDownLatch(1);
        Future<String> first = firstHoldingTheWriterUntil(othersQueued);
        Future<String> second = callers.submit(() -> groupCommit.execute(() -> {
            insert("second");
            return "second";
        }));
        Future<String> third = callers.submit(() -> groupCommit.execute(() -> {
            insert("third");
            return "third";
        }));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> groupCommit.waiting() == 2);
        // Queued last, so it shares the next transaction after the others' inserts. H2 answers a deadlock (40001) by
        // rolling back the whole transaction; this unit does the same and goes on, as one catching that error would.
        Future<String> swallower = callers.submit(() -> groupCommit.execute(() -> {
            jdbc.execute("ROLLBACK");
            return "went on";
        }));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> groupCommit.waiting() == 3);
        othersQueued.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("second");
        assertThat(third.get(10, TimeUnit.SECONDS)).isEqualTo("third");
        assertThat(swallower.get(10, TimeUnit.SECONDS)).isEqualTo("went on");
        assertThat(jdbc.queryForList("SELECT name FROM item ORDER BY name", String.class))
                .as("every caller told its write was committed finds it").containsExactly("first", "second", "third");
    }

    @Test
    void afterAGroupWithCompanyTheWriterLingersForMoreUnitsButALoneUnitIsNotHeld() throws Exception {
        groupCommit = new GroupCommit(tx, null, Duration.ofMinutes(5));
        assertThat(callers.submit(() -> groupCommit.execute(() -> insert("alone"))).get(10, TimeUnit.SECONDS))
                .as("no group before it: committed without lingering").isEqualTo(1);

        CountDownLatch othersQueued = new CountDownLatch(1);
        Future<String> first = firstHoldingTheWriterUntil(othersQueued);
        List<Future<Integer>> company = new ArrayList<>();
        for (int i = 0; i < GroupCommit.COMPANY; i++) {
            String name = "company-" + i;
            company.add(callers.submit(() -> groupCommit.execute(() -> insert(name))));
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> groupCommit.waiting() == GroupCommit.COMPANY);
        othersQueued.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
        for (Future<Integer> unit : company) {
            assertThat(unit.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }

        // The writer now lingers: the units that come next wait until a full group is queued, and share its commit.
        int commitsBefore = commits.get();
        ExecutorService many = Executors.newFixedThreadPool(GroupCommit.MAX_UNITS);
        try {
            List<Future<Integer>> next = new ArrayList<>();
            for (int i = 0; i < GroupCommit.MAX_UNITS; i++) {
                String name = "next-" + i;
                next.add(many.submit(() -> groupCommit.execute(() -> insert(name))));
            }
            for (Future<Integer> unit : next) {
                assertThat(unit.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            }
        } finally {
            many.shutdownNow();
        }
        assertThat(commits.get() - commitsBefore).as("one group, one commit").isEqualTo(1);
    }

    /** Submits a unit that inserts "first" and holds the writer until {@code released}; returns once it runs. */
    private Future<String> firstHoldingTheWriterUntil(CountDownLatch released) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        Future<String> first = callers.submit(() -> groupCommit.execute(() -> {
            insert("first");
            running.countDown();
            await(released);
            return "first";
        }));
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        return first;
    }

    private int insert(String name) {
        return jdbc.update("INSERT INTO item (name) VALUES (?)", name);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
