package dev.switchboard.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineRunLineageTest {

    private static final ResourceRef RUN = ResourceRef.of("kubeflow-pipelines", "kfp", "run", "run-7f3a");

    @Test
    void lineageTagsNameTheRunAndPipelineAndOnlyWhatIsKnown() {
        PipelineRun known = new PipelineRun(RUN, "train", "nightly", RunStatus.SUCCEEDED, null, null,
                Map.of("lr", "0.1"), "pv-2");
        PipelineRun sparse = new PipelineRun(RUN, "train", null, RunStatus.SUCCEEDED, null, null, Map.of());

        assertThat(known.lineageTags()).containsExactly(Map.entry("kfp.run_id", "run-7f3a"),
                Map.entry("kfp.pipeline", "train"), Map.entry("kfp.run_name", "nightly"),
                Map.entry("kfp.pipeline_version_id", "pv-2"));
        assertThat(sparse.lineageTags()).containsExactly(Map.entry("kfp.run_id", "run-7f3a"),
                Map.entry("kfp.pipeline", "train"));
        assertThatThrownBy(() -> known.lineageTags().put("kfp.run_id", "other"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
