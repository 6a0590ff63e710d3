package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.EventSource.PollResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The polling half of {@link EventSource}: changes since a cursor are reported oldest first, polling twice from
 * one cursor yields the same event ids, and resuming from a saved cursor after a restart repeats nothing and
 * skips nothing.
 *
 * <p>The fixture {@link #makeChange()} changes the tool behind the connection's back (as a user of the tool
 * would, or as a webhook the hub never received would have announced).
 */
public interface PollingEventSourceSuite extends ConnectorUnderTest {

    /** How many changes the larger tests make; more than one page of the connector's polling, ideally. */
    default int changesForPaging() {
        return 7;
    }

    /**
     * Makes one change in the tool that polling must report.
     *
     * @return the {@link CanonicalEvent#subject()} of the event that reports it
     */
    String makeChange();

    /** The event source port, or a skip when the connector does not claim one. */
    default EventSource pollingSource() {
        assumeCapability(Capability.EVENT_SOURCE);
        return connection().eventSource().orElseThrow(() -> new AssertionError(
                "connector claims EVENT_SOURCE but the connection offers no EventSource"));
    }

    @Test
    default void pollingFromNowOnReportsOnlyLaterChanges() {
        EventSource source = pollingSource();
        String before = makeChange();
        PollResult start = source.poll(null);
        assertThat(start.cursor()).as("a first poll must return a cursor").isNotNull();
        String after = makeChange();
        List<String> subjects = subjects(source.poll(start.cursor()));
        assertThat(subjects).contains(after).doesNotContain(before);
    }

    @Test
    default void pollReportsEveryChangeSinceTheCursorOnceOldestFirst() {
        EventSource source = pollingSource();
        String cursor = source.poll(null).cursor();
        List<String> changes = new ArrayList<>();
        for (int i = 0; i < changesForPaging(); i++) {
            changes.add(makeChange());
        }
        PollResult result = source.poll(cursor);
        assertThat(subjects(result).stream().filter(changes::contains).toList()).containsExactlyElementsOf(changes);
        assertThat(result.events()).extracting(CanonicalEvent::id).doesNotHaveDuplicates();
    }

    @Test
    default void pollingTwiceFromOneCursorYieldsTheSameEventIds() {
        EventSource source = pollingSource();
        String cursor = source.poll(null).cursor();
        makeChange();
        makeChange();
        List<String> first = source.poll(cursor).events().stream().map(CanonicalEvent::id).toList();
        List<String> again = source.poll(cursor).events().stream().map(CanonicalEvent::id).toList();
        assertThat(first).isNotEmpty();
        assertThat(again).isEqualTo(first);
    }

    @Test
    default void resumingFromASavedCursorAfterARestartSkipsAndRepeatsNothing() {
        String cursor = pollingSource().poll(null).cursor();
        List<String> early = List.of(makeChange(), makeChange());
        PollResult first = pollingSource().poll(cursor);
        assertThat(subjects(first)).containsAll(early);

        EventSource restarted = reopenConnection().eventSource().orElseThrow();
        List<String> late = new ArrayList<>();
        for (int i = 0; i < changesForPaging(); i++) {
            late.add(makeChange());
        }
        PollResult second = restarted.poll(first.cursor());
        assertThat(subjects(second).stream().filter(s -> early.contains(s) || late.contains(s)).toList())
                .as("events after resuming").containsExactlyElementsOf(late);
        assertThat(second.events()).extracting(CanonicalEvent::id)
                .doesNotContainAnyElementsOf(first.events().stream().map(CanonicalEvent::id).toList());
        PollResult third = restarted.poll(second.cursor());
        assertThat(third.events()).as("a poll with nothing new").isEmpty();
    }

    private static List<String> subjects(PollResult result) {
        return result.events().stream().map(CanonicalEvent::subject).toList();
    }
}
