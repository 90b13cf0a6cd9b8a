package dev.recur.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.Recur;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recur bench rb1} in process, without warm-up and with one repetition; nothing here measures speed. */
class Rb1BenchTest {

    @Test
    void lstmSmallWritesARecordPerModeInTheIssuesFormat(@TempDir Path dir) throws Exception {
        var run = BenchRun.of("bench", "rb1", "--case", "lstm-small", "--repeat", "1", "--warmup", "0", "--min-time", "0",
                "--quiet", "--json", dir.resolve("rb1.json").toString());
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("| lstm-small | forward |", "| lstm-small | train |");
        var json = new ObjectMapper().readTree(dir.resolve("rb1.json").toFile());
        assertThat(json.isArray()).isTrue();
        assertThat(json).hasSize(2);
        for (var r : json) {
            assertThat(r.get("case").asText()).isEqualTo("lstm-small");
            assertThat(r.get("ms_median").asDouble()).isPositive();
            assertThat(r.get("ms_min").asDouble()).isLessThanOrEqualTo(r.get("ms_max").asDouble());
            assertThat(r.get("tokens_per_s").asDouble()).isEqualTo(r.get("seq_per_s").asDouble() * 64, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(r.has("gflops")).isTrue();
            assertThat(r.has("peak_rss_mb")).isTrue();
            assertThat(r.has("us_per_step")).isFalse();
        }
        assertThat(json.get(1).get("mode").asText()).isEqualTo("train");
    }

    @Test
    void inferStepReportsMicrosecondsPerStepAndNoTrainingRecord(@TempDir Path dir) throws Exception {
        int exit = Recur.run("bench", "rb1", "--case", "infer-step", "--repeat", "1", "--warmup", "0", "--min-time", "0",
                "--quiet", "--json", dir.resolve("step.json").toString());
        assertThat(exit).isZero();
        var json = new ObjectMapper().readTree(dir.resolve("step.json").toFile());
        assertThat(json).hasSize(1);
        assertThat(json.get(0).get("us_per_step").asDouble()).isPositive();
    }

    @Test
    void quantizedWeightsRunTheForwardRowsOnlyAndSayTheirDtype(@TempDir Path dir) throws Exception {
        for (String dtype : new String[] {"int8", "bf16"}) {
            int exit = Recur.run("bench", "rb1", "--case", "infer-step,lstm-small", "--dtype", dtype, "--repeat", "1", "--warmup", "0",
                    "--min-time", "0", "--quiet", "--json", dir.resolve(dtype + ".json").toString());
            assertThat(exit).isZero();
            var json = new ObjectMapper().readTree(dir.resolve(dtype + ".json").toFile());
            assertThat(json).hasSize(2);
            for (var r : json) {
                assertThat(r.get("dtype").asText()).isEqualTo(dtype);
                assertThat(r.get("mode").asText()).isEqualTo("forward");
            }
        }
        assertThat(Recur.run("bench", "rb1", "--case", "infer-step", "--dtype", "fp16", "--warmup", "0")).isEqualTo(2);
    }

    @Test
    void rejectsAnUnknownCase() {
        assertThat(Recur.run("bench", "rb1", "--case", "lstm-huge", "--warmup", "0")).isNotZero();
    }
}
