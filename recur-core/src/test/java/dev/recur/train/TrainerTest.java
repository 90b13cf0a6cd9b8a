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

    /** Minimises ‖w + noise‖², noise drawn from the trainer's generator; carries a running sum as task state. */
    static final class Quadratic extends Module implements TrainingTask {
        final Variable w;
        final Tensor carried = Tensor.zeros(1);

        Quadratic(float init) {
            w = register("w", Tensor.full(init, 1, 4));
        }

        @Override
        public Module model() {
            return this;
        }

        @Override
        public Batch trainBatch(long index, Rng rng) {
            var noise = Tensor.zeros(1, 4);
            for (int i = 0; i < 4; i++) noise.set((float) (0.1 * rng.nextGaussian() + carried.at(0) * 1e-3), 0, i);
            var shifted = w.add(Variable.of(noise));
            var loss = shifted.matmul(shifted, Transpose.NONE, Transpose.TRANSPOSED);
            loss.backward();
            carried.set(carried.at(0) + 1, 0);
            return new Batch(loss.value().item(), 1);
        }

        @Override
        public double validate() {
            try (var off = Tape.noGrad()) {
                return w.matmul(w, Transpose.NONE, Transpose.TRANSPOSED).value().item();
            }
        }

        @Override
        public long batchesPerEpoch() {
            return 7;
        }

        @Override
        public Map<String, Tensor> state() {
            return Map.of("carried", carried);
        }

        @Override
        public void restore(Map<String, Tensor> state) {
            carried.copyFrom(state.get("carried"));
        }
    }

    private static Trainer trainer(Quadratic task, TrainerConfig config, List<TrainingListener> listeners) {
        var opt = new Adam(task.parameters(), config.lr());
        return new Trainer(task, opt, new Plateau(0.5, 1, 1e-4, 0, 0), config, listeners);
    }

    @Test
    void resumingFromACheckpointGivesBitwiseTheSameWeights() throws IOException {
        var config = TrainerConfig.steps(40, 0.05f).withClip(0.5).withEvaluation(6, 0).withSeed(3);
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
        assertThat(result.bestValidation()).as("best validation; first loss %s", losses.get(0)).isLessThan(0.05 * losses.get(0));
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
        var config = new TrainerConfig(0, 0, java.time.Duration.ofMillis(1000), 0.5f, 0, 0, 0, null, 0, 1);
        new Trainer(task, new Sgd(task.parameters(), 0.5f), Schedule.cosineOverBudget(0, 0.1), config, List.of(new TrainingListener() {
            @Override
            public void stepped(StepReport r) {
                rates.add(r.lr());
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        })).run();
        assertThat(rates.get(0)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
        assertThat(rates.get(rates.size() - 1)).as("last of %d rates", rates.size()).isLessThan(0.1).isGreaterThanOrEqualTo(0.05 - 1e-6);
        for (int i = 1; i < rates.size(); i++) assertThat(rates.get(i)).isLessThanOrEqualTo(rates.get(i - 1));
    }

    @Test
    void divergenceStopsWithADiagnosisAndKeepsTheLastCheckpoint() throws IOException {
        var task = new Quadratic(1f);
        Path ckpt = dir.resolve("d.ckpt");
        var config = TrainerConfig.steps(100, 1e3f).withCheckpoints(ckpt, 3);
        var trainer = new Trainer(task, new Sgd(task.parameters(), 1e3f), Schedule.constant(), config, List.of());
        assertThatThrownBy(trainer::run).isInstanceOf(DivergenceException.class)
                .hasMessageMatching("step \\d+: (loss is (NaN|Infinity)|gradient norm is .*); the largest gradient is in w.*")
                .hasMessageContaining("--clip 1.0").hasMessageContaining("--lr");
        var saved = SafeTensors.read(ckpt);
        assertThat(saved.tensors().get("model.w").firstNonFinite()).isEqualTo(-1);
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
        assertThat(lines.get(5)).contains("\"validation\":");
    }
}
