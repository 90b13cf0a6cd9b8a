package dev.recur.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.autograd.Tape;
import dev.recur.autograd.Transpose;
import dev.recur.autograd.Variable;
import dev.recur.io.SafeTensors;
import dev.recur.nn.Module;
import dev.recur.optim.Adam;
import dev.recur.optim.Plateau;
import dev.recur.optim.Schedule;
import dev.recur.optim.Sgd;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path dir;

    /**
     * Minimises ‖w + noise‖², noise drawn from the task's own generator; carries a running sum as task state.
     * Validation reports ‖w‖² (lower is better), or −‖w‖² as a higher-is-better metric.
     */
    static final class Quadratic extends Module implements TrainingTask {
        final Variable w;
        final Tensor carried = Tensor.zeros(1);
        final Rng rng;
        boolean higherIsBetter;

        Quadratic(float init) {
            this(init, 3);
        }

        Quadratic(float init, long seed) {
            w = register("w", Tensor.full(init, 1, 4));
            rng = new Rng(seed);
        }

        @Override
        public Module model() {
            return this;
        }

        @Override
        public com.fasterxml.jackson.databind.node.ObjectNode modelConfig() {
            return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("type", "quadratic");
        }

        @Override
        public Batch trainBatch(long index) {
            var noise = Tensor.zeros(1, 4);
            for (int i = 0; i < 4; i++) noise.set((float) (0.1 * rng.nextGaussian() + carried.at(0) * 1e-3), 0, i);
            var shifted = w.add(Variable.of(noise));
            var loss = shifted.matmul(shifted, Transpose.NONE, Transpose.TRANSPOSED);
            loss.backward();
            carried.set(carried.at(0) + 1, 0);
            return new Batch(loss.value().item(), 1);
        }

        @Override
        public Metrics validate() {
            try (var off = Tape.noGrad()) {
                double squared = w.matmul(w, Transpose.NONE, Transpose.TRANSPOSED).value().item();
                return higherIsBetter ? Metrics.higher("negated", -squared) : Metrics.lower("squared", squared).with("norm", Math.sqrt(squared));
            }
        }

        @Override
        public long batchesPerEpoch() {
            return 7;
        }

        @Override
        public Map<String, Tensor> state() {
            return Map.of("carried", carried, "rng", rng.stateTensor());
        }

        @Override
        public void restore(Map<String, Tensor> state) {
            carried.copyFrom(state.get("carried"));
            rng.restore(state.get("rng"));
        }
    }

    private static Trainer trainer(Quadratic task, TrainerConfig config, List<TrainingListener> listeners) {
        var opt = new Adam(task.parameters(), config.lr());
        return new Trainer(task, opt, new Plateau(0.5, 1, 1e-4, 0, 0), config, listeners);
    }

    @Test
    void resumingFromACheckpointGivesBitwiseTheSameWeights() throws IOException {
        var config = TrainerConfig.steps(40, 0.05f).withClip(0.5).withEvaluation(6, 0);
        var whole = new Quadratic(1f);
        trainer(whole, config, List.of()).run();

        var first = new Quadratic(1f);
        Path ckpt = dir.resolve("half.ckpt");
        trainer(first, config.withSteps(20).withCheckpoints(ckpt, 0), List.of()).run();
        var resumed = new Quadratic(1f);
        var second = trainer(resumed, config.withCheckpoints(dir.resolve("rest.ckpt"), 0), List.of());
        second.resume(ckpt);
        assertThat(second.step()).isEqualTo(20);
        second.run();

        assertThat(resumed.w.value().toArray()).containsExactly(whole.w.value().toArray());
        assertThat(resumed.carried.at(0)).isEqualTo(40f);
    }

    @Test
    void lossFallsAndListenersHearEveryStep() throws IOException {
        var task = new Quadratic(1f);
        var losses = new ArrayList<Double>();
        var result = trainer(task, TrainerConfig.steps(200, 0.05f), List.of(new TrainingListener() {
            @Override
            public void stepped(StepReport r) {
                losses.add(r.loss());
            }
        })).run();
        assertThat(losses).hasSize(200);
        assertThat(result.best().value()).as("best validation; first loss %s", losses.get(0)).isLessThan(0.05 * losses.get(0));
    }

    @Test
    void cosineOverBudgetDecaysWithTheStepsSpent() throws IOException {
        var task = new Quadratic(1f);
        var rates = new ArrayList<Double>();
        var config = TrainerConfig.steps(20, 0.5f);
        new Trainer(task, new Sgd(task.parameters(), 0.5f), Schedule.cosineOverBudget(0, 0.1), config, List.of(new TrainingListener() {
            @Override
            public void stepped(StepReport r) {
                rates.add(r.lr());
            }
        })).run();
        assertThat(rates).hasSize(20);
        for (int t = 0; t < 20; t++) {
            double expected = 0.5 * (0.1 + 0.9 * (1 + Math.cos(Math.PI * t / 20.0)) / 2);
            assertThat(rates.get(t)).as("rate at step %d", t).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void cosineOverBudgetDecaysWithTheTimeSpent() throws IOException {
        var task = new Quadratic(1f);
        var rates = new ArrayList<Double>();
        long[] now = {0};
        var config = new TrainerConfig(0, 0, java.time.Duration.ofMillis(1000), 0.5f, 0, 0, 0, null, 0);
        new Trainer(task, new Sgd(task.parameters(), 0.5f), Schedule.cosineOverBudget(0, 0.1), config, List.of(new TrainingListener() {
            @Override
            public void stepped(StepReport r) {
                rates.add(r.lr());
                now[0] += 10_000_000L;   // each step takes 10 ms of the test's clock
            }
        })).withClock(() -> now[0]).run();
        assertThat(rates).hasSize(100);
        for (int t = 0; t < 100; t++) {
            double expected = 0.5 * (0.1 + 0.9 * (1 + Math.cos(Math.PI * t / 100.0)) / 2);
            assertThat(rates.get(t)).as("rate at step %d", t).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void divergenceStopsWithADiagnosisAndKeepsTheLastCheckpoint() throws IOException {
        var task = new Quadratic(1f);
        Path ckpt = dir.resolve("d.ckpt");
        var config = TrainerConfig.steps(100, 1e3f).withCheckpoints(ckpt, 1);
        var trainer = new Trainer(task, new Sgd(task.parameters(), 1e3f), Schedule.constant(), config, List.of());
        assertThatThrownBy(trainer::run).isInstanceOf(DivergenceException.class)
                .hasMessageMatching("step \\d+: (loss is (NaN|Infinity)|gradient norm is .*|the loss was above 4 times .*) at learning rate 1\\.00e\\+03; the largest gradient is in w.*")
                .hasMessageContaining("clipping the gradient norm (clip 1.0)").hasMessageContaining("lower learning rate (lr, now 1.00e+03)")
                .hasMessageNotContaining("--");
        var saved = SafeTensors.read(ckpt);
        assertThat(saved.tensors().get("model.w").firstNonFinite()).isEqualTo(-1);
    }

    @Test
    void aFiniteLossThatStaysFarAboveItsStartIsADivergenceToo() throws IOException {
        // Clipped steps of norm 1 at rate 1000 throw w back and forth across the origin: every other loss is huge, all finite.
        var task = new Quadratic(1f);
        Path ckpt = dir.resolve("blown.ckpt");
        var config = TrainerConfig.steps(100, 1e3f).withClip(1.0).withCheckpoints(ckpt, 1);
        var steps = new ArrayList<Double>();
        var trainer = new Trainer(task, new Sgd(task.parameters(), 1e3f), Schedule.constant(), config, List.of(new TrainingListener() {
            @Override
            public void stepped(StepReport r) {
                steps.add(r.loss());
            }
        }));
        assertThatThrownBy(trainer::run).isInstanceOf(DivergenceException.class)
                .hasMessageMatching("step \\d+: the loss was above 4 times its starting value \\(.*\\) in 5 of the last \\d+ steps, now .*")
                .hasMessageContaining("at learning rate 1.00e+03");
        assertThat(steps).allMatch(Double::isFinite);
        var saved = dev.recur.io.Checkpoint.read(ckpt);
        assertThat(saved.trainer().get("step").asLong()).isLessThan(Trainer.BLOWN_STEPS);
        assertThat(saved.model().get("w").firstNonFinite()).isEqualTo(-1);
    }

    @Test
    void aHealthyRunIsNotADivergenceWhenItsLossStartsLow() throws IOException {
        // From the optimum, noise alone sets the loss: its first step can be far below the later ones.
        var result = trainer(new Quadratic(0f), TrainerConfig.steps(300, 1e-3f), List.of()).run();
        assertThat(result.steps()).isEqualTo(300);
    }

    @Test
    void higherIsBetterMetricsKeepTheHighestValidation() throws IOException {
        var task = new Quadratic(1f);
        task.higherIsBetter = true;
        var seen = new ArrayList<Double>();
        var result = trainer(task, TrainerConfig.steps(60, 0.05f).withEvaluation(5, 0), List.of(new TrainingListener() {
            @Override
            public void evaluated(long step, Metrics metrics, boolean best) {
                assertThat(metrics.better()).isEqualTo(Metrics.Better.HIGHER);
                seen.add(metrics.value());
            }
        })).run();
        double highest = seen.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertThat(result.best().value()).isEqualTo(highest);
        try (var off = Tape.noGrad()) {
            assertThat(task.validate().value()).as("the best weights are restored").isEqualTo(highest);
        }
    }

    @Test
    void patienceStopsTrainingEarly() throws IOException {
        var task = new Quadratic(0f);   // already at the optimum: validation cannot improve
        var result = trainer(task, TrainerConfig.steps(1000, 1e-3f).withEvaluation(5, 2), List.of()).run();
        assertThat(result.stoppedEarly()).isTrue();
        assertThat(result.steps()).isLessThan(1000);
    }

    @Test
    void metricsLogWritesOneJsonLinePerStepAndEvaluation() throws IOException {
        Path log = dir.resolve("metrics.jsonl");
        try (var metrics = new MetricsLog(log)) {
            trainer(new Quadratic(1f), TrainerConfig.steps(10, 0.05f).withEvaluation(5, 0), List.of(metrics)).run();
        }
        var lines = java.nio.file.Files.readAllLines(log);
        assertThat(lines).hasSize(12);
        assertThat(lines.get(0)).startsWith("{\"step\":1,\"epoch\":0,\"loss\":");
        assertThat(lines.get(5)).contains("\"validation\":").contains("\"metrics\":{\"squared\":").contains("\"norm\":")
                .contains("\"better\":\"lower\"");
    }
}
