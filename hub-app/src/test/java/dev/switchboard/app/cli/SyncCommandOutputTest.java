package dev.switchboard.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.model.NotSelected;
import dev.switchboard.client.model.SyncOutcome;
import dev.switchboard.client.model.SyncReport;
import dev.switchboard.client.model.SyncRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sync output: versions the selection leaves out are the hub's one summary line, not a row each (unless --all);
 * {@code SyncApiTest} shows the hub summarising them.
 */
class SyncCommandOutputTest {

    /** What the hub answers: unless asked for all, the versions not selected come as one summary. */
    private static SyncReport report(boolean all) {
        List<SyncOutcome> outcomes = new ArrayList<>();
        outcomes.add(outcome("mlflow-prod:model_version:churn/7", "CREATED", "created sagemaker:churn/1"));
        for (int i = 1; i <= 1300; i++) {
            outcomes.add(outcome("mlflow-prod:model_version:churn/" + (100 + i), "SKIPPED",
                    "not selected: has none of the aliases [champion]"));
        }
        outcomes.add(outcome("mlflow-prod:model_version:other/1", "SKIPPED",
                "not selected: model other matches none of [churn*]"));
        outcomes.add(outcome("mlflow-prod:model_version:fraud/1", "SKIPPED",
                "not selected: model fraud matches none of [churn*]"));
        return new SyncReport().run(new SyncRun().id("r1").job("job").mode(SyncRun.ModeEnum.APPLY)
                        .status(SyncRun.StatusEnum.COMPLETED).created(1L).updated(0L).unchanged(0L).skipped(1302L)
                        .failed(0L)).outcomes(all ? outcomes : outcomes.subList(0, 1))
                .notSelected(new NotSelected().count(1302L).summary("1302 version(s) not selected (1300 has none of "
                        + "the aliases [champion]; 2 model matches none of [churn*])"));
    }

    private static SyncOutcome outcome(String key, String kind, String reason) {
        return new SyncOutcome().objectKey(key).outcome(SyncOutcome.OutcomeEnum.fromValue(kind)).reason(reason)
                .fidelity(List.of());
    }

    private static String print(boolean all) {
        StringWriter text = new StringWriter();
        SyncCommand.JobCommand.print(new PrintWriter(text, true), report(all), all);
        return text.toString();
    }

    @Test
    void versionsNotSelectedAreOneLineByReason() {
        String printed = print(false);

        assertThat(printed.lines()).hasSizeLessThan(10);
        assertThat(printed).contains("churn/7").contains("CREATED")
                .contains("1302 version(s) not selected (1300 has none of the aliases [champion]; "
                        + "2 model matches none of [churn*]); --all lists them")
                .doesNotContain("churn/101");
    }

    @Test
    void allListsThemOneRowEach() {
        assertThat(print(true)).contains("churn/101").contains("fraud/1").doesNotContain("not selected (");
    }
}
