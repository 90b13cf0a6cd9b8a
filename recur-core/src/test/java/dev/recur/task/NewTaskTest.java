package dev.recur.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.io.ModelFile;
import dev.recur.io.ModelFormatException;
import dev.recur.io.SafeTensors;
import dev.recur.nn.Module;
import dev.recur.nn.RecurrentConfig;
import dev.recur.optim.OptimizerType;
import dev.recur.optim.ScheduleType;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.synthetic.SequenceModel;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import dev.recur.train.Metrics;
import dev.recur.train.RunFiles;
import dev.recur.train.TrainingPlan;
import dev.recur.train.TrainingRecipe;
import dev.recur.train.TrainingTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A task written against the shared groundwork alone: trained by the recipe, resumed exactly, opened by the registry. */
class NewTaskTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Is the sum of a sequence's first feature positive? Two classes, accuracy the primary metric (higher is better). */
    static final class SignTask implements TrainingTask {
        static final String TYPE = "sign_classifier";
        static final int STEPS = 5, VALID = 64;
        final SequenceModel model;
        final Rng rng;
        final Tensor validInput;
        final int[] validLabels;

        SignTask(long seed) {
            model = new SequenceModel(RecurrentConfig.lstm(2, 8), 2, new Rng(seed));
            rng = new Rng(seed + 1);
            validInput = Tensor.randn(new Rng(99), STEPS, VALID, 2);
            validLabels = labels(validInput);
        }

        static int[] labels(Tensor x) {
            int batch = x.shape()[1];
            int[] y = new int[batch];
            for (int b = 0; b < batch; b++) {
                double sum = 0;
                for (int t = 0; t < STEPS; t++) sum += x.at((t * batch + b) * 2);
                y[b] = sum > 0 ? 1 : 0;
            }
            return y;
        }

        static SequenceModel load(ModelFile file) {
            var m = new SequenceModel(RecurrentConfig.lstm(2, file.config().get("hidden").asInt()), 2, new Rng(0));
            m.loadStateDict(file.tensors());
            return m;
        }

        @Override
        public Module model() {
            return model;
        }

        @Override
        public ObjectNode modelConfig() {
            return JSON.createObjectNode().put("type", TYPE).put("hidden", 8);
        }

        @Override
        public Batch trainBatch(long index) {
            Tensor x = Tensor.randn(rng, STEPS, 16, 2);
            Variable loss = model.forwardLast(Variable.of(x)).crossEntropy(labels(x));
            loss.backward();
            return new Batch(loss.value().item(), 16);
        }

        @Override
        public Metrics validate() {
            try (var off = Tape.noGrad()) {
                Variable logits = model.forwardLast(Variable.of(validInput));
                int right = 0;
                for (int b = 0; b < VALID; b++) {
                    int guess = logits.value().at(b * 2 + 1) > logits.value().at(b * 2) ? 1 : 0;
                    right += guess == validLabels[b] ? 1 : 0;
                }
                return Metrics.higher("accuracy", right / (double) VALID).with("loss", logits.crossEntropy(validLabels).value().item());
            }
        }

        @Override
        public double chanceLoss() {
            return Math.log(2);
        }

        @Override
        public long batchesPerEpoch() {
            return 10;
        }

        @Override
        public Map<String, Tensor> state() {
            return Map.of("rng", rng.stateTensor());
        }

        @Override
        public void restore(Map<String, Tensor> state) {
            rng.restore(state.get("rng"));
        }
    }

    private static TrainingPlan plan(long steps) {
        return new TrainingPlan(steps, 0, null, OptimizerType.ADAM, 0.01f, 1.0, ScheduleType.CONSTANT, 0, 0.2, 20, 0, 40);
    }

    @Test
    void trainsThroughTheRecipeAndOpensThroughTheRegistry() throws IOException {
        Models.register(new Models.Kind(SignTask.TYPE, "a sign classifier", "recur sign", SequenceModel.class, SignTask::load));
        var task = new SignTask(1);
        var files = RunFiles.of(dir.resolve("runs/sign.safetensors"), "sign.safetensors").prepare();
        var outcome = TrainingRecipe.run(task, plan(200), files, null, List.of());

        Metrics best = outcome.result().best();
        assertThat(best.better()).isEqualTo(Metrics.Better.HIGHER);
        assertThat(best.value()).as("validation accuracy; chance is about 0.5").isGreaterThan(0.8);
        assertThat(outcome.test()).isEmpty();
        assertThat(files.checkpoint()).isNotEmptyFile();
        assertThat(Files.readAllLines(files.metrics())).filteredOn(l -> l.contains("\"validation\""))
                .hasSize(10).allMatch(l -> l.contains("\"better\":\"higher\"") && l.contains("\"loss\":"));

        var opened = Models.open(files.model());
        assertThat(opened.kind().type()).isEqualTo(SignTask.TYPE);
        assertThat(opened.checkpoint()).isFalse();
        var saved = opened.model().namedParameters();
        task.model().namedParameters().forEach((name, p) ->
                assertThat(saved.get(name).value().toArray()).as(name).containsExactly(p.value().toArray()));
        assertThat(Models.open(files.checkpoint()).checkpoint()).isTrue();
        assertThatThrownBy(() -> Models.open(files.model(), LanguageModel.class)).isInstanceOf(ModelFormatException.class)
                .hasMessage(files.model() + ": this is a sign classifier, not a language model; use it with recur sign");
    }

    @Test
    void resumingThroughTheRecipeGivesTheWeightsOfOneUninterruptedRun() throws IOException {
        var whole = RunFiles.of(dir.resolve("whole.safetensors"), "x").prepare();
        TrainingRecipe.run(new SignTask(2), plan(60), whole, null, List.of());
        var parts = RunFiles.of(dir.resolve("parts.safetensors"), "x").prepare();
        TrainingRecipe.run(new SignTask(2), plan(30), parts, null, List.of());
        var resumed = TrainingRecipe.run(new SignTask(2), plan(60), parts, parts.checkpoint(), List.of());

        assertThat(resumed.result().steps()).isEqualTo(60);
        // The checkpoints' final weights, not the model files' best validated ones (which could be from before the cut).
        var a = dev.recur.io.Checkpoint.read(whole.checkpoint()).model();
        var b = dev.recur.io.Checkpoint.read(parts.checkpoint()).model();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((name, t) -> assertThat(b.get(name).toArray()).as(name).containsExactly(t.toArray()));
        assertThat(SafeTensors.read(parts.model()).tensors().keySet()).isEqualTo(a.keySet());
    }
}
