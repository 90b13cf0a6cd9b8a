package dev.recur.task.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recur.data.Tokenizer;
import dev.recur.io.ModelFile;
import dev.recur.nn.CellType;
import dev.recur.nn.Pooling;
import dev.recur.optim.OptimizerType;
import dev.recur.optim.ScheduleType;
import dev.recur.task.Models;
import dev.recur.task.text.EncoderConfig;
import dev.recur.task.text.TextEncoder;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import dev.recur.train.RunFiles;
import dev.recur.train.TrainingPlan;
import dev.recur.train.TrainingRecipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierTest {
    @TempDir
    Path dir;

    private static Classifier classifier(Pooling pooling, int charEmbed, List<String> texts) {
        var encoderConfig = new EncoderConfig(Tokenizer.WORD, 8, charEmbed, 3, CellType.LSTM, 6, 1, 2, 0.2f, true);
        var config = new ClassifierConfig(encoderConfig, pooling, 5, 50);
        var tokens = texts.stream().map(t -> Classifier.tokens(config, t)).toList();
        var v = TextEncoder.vocabularies(encoderConfig, tokens, 0, 1);
        var rng = new Rng(4);
        return new Classifier(config, new TextEncoder(encoderConfig, v.get("words"), v.get("chars"), rng), List.of("negative", "neutral", "positive"), rng);
    }

    @Test
    void aTextScoresTheSameAloneAndInAPaddedBatchWithEveryPooling() {
        var texts = List.of("Great phone, works well.", "It broke after a day and the support never answered my mails", "Meh.");
        for (Pooling pooling : Pooling.values()) {
            for (int charEmbed : new int[] {0, 4}) {
                Classifier c = classifier(pooling, charEmbed, texts);
                float[] alone = c.predict(List.of(texts.get(0))).get(0).probabilities();
                float[] batched = c.predict(texts).get(0).probabilities();
                assertThat(batched).as("%s, char encoder %d", pooling, charEmbed).containsExactly(alone, within(1e-6f));
                assertThat(c.predict(texts).get(2).probabilities()).containsExactly(c.predict(List.of(texts.get(2))).get(0).probabilities(), within(1e-6f));
            }
        }
    }

    @Test
    void attentionWeightsCoverEachTextsTokensAndSumToOne() {
        var texts = List.of("Great phone, works well.", "Meh.");
        var predictions = classifier(Pooling.ATTENTION, 0, texts).predict(texts);
        for (var p : predictions) {
            assertThat(p.attention()).hasSize(p.tokens().size());
            double sum = 0;
            for (float w : p.attention()) sum += w;
            assertThat(sum).isCloseTo(1.0, within(1e-5));
        }
        assertThat(classifier(Pooling.MAX, 0, texts).predict(texts).get(0).attention()).isNull();
    }

    @Test
    void aSavedClassifierOpensThroughTheRegistryAndPredictsTheSame() throws IOException {
        var texts = List.of("Great phone, works well.", "Meh.", "Awful");
        Classifier c = classifier(Pooling.ATTENTION, 4, texts);
        var tensors = new LinkedHashMap<String, Tensor>();
        c.namedParameters().forEach((name, p) -> tensors.put(name, p.value()));
        Path file = dir.resolve("c.safetensors");
        ModelFile.write(file, c.configJson(), tensors);
        Classifier loaded = Models.open(file, Classifier.class);
        assertThat(loaded.labels()).isEqualTo(c.labels());
        assertThat(loaded.predict(texts).get(1).probabilities()).containsExactly(c.predict(texts).get(1).probabilities());
    }

    /** UCI sentiment sentences (Amazon): lines 0–799 train, 800–899 validate, 900–999 test. */
    @Test
    void learnsRealSentimentWellAboveChance() throws IOException {
        var all = LabelledText.read(Path.of("../data/sentiment/sentiment.tsv.gz"), "text", "label");
        var train = all.subList(0, 800);
        var encoderConfig = new EncoderConfig(Tokenizer.WORD, 32, 0, 0, CellType.LSTM, 32, 1, 2, 0.3f, true);
        var config = new ClassifierConfig(encoderConfig, Pooling.MAX, 16, 100);
        var v = TextEncoder.vocabularies(encoderConfig, train.stream().map(t -> Classifier.tokens(config, t.text())).toList(), 0, 1);
        var rng = new Rng(1);
        var model = new Classifier(config, new TextEncoder(encoderConfig, v.get("words"), null, rng), List.of("negative", "positive"), rng);
        var task = new ClassifyTraining(model, train, all.subList(800, 900), all.subList(900, 1000), 32, null, 1);
        var plan = new TrainingPlan(300, 0, null, OptimizerType.ADAM, 0.005f, 1.0, ScheduleType.CONSTANT, 0, 0.2, 50, 0, 0);
        var outcome = TrainingRecipe.run(task, plan, RunFiles.of(dir.resolve("s.safetensors"), "s").prepare(), null, new ArrayList<>());
        double accuracy = outcome.test().orElseThrow().get("accuracy");
        assertThat(accuracy).as("test accuracy on 100 sentences, half positive").isGreaterThan(0.68);
    }

    @Test
    void resumingGivesTheWeightsOfOneUninterruptedRun() throws IOException {
        var all = LabelledText.read(Path.of("../data/sentiment/sentiment.tsv.gz"), "text", "label");
        var train = all.subList(0, 300);
        var plan30 = new TrainingPlan(30, 0, null, OptimizerType.ADAM, 0.005f, 1.0, ScheduleType.PLATEAU, 0, 0.2, 10, 0, 0);
        var plan60 = new TrainingPlan(60, 0, null, OptimizerType.ADAM, 0.005f, 1.0, ScheduleType.PLATEAU, 0, 0.2, 10, 0, 0);
        java.util.function.Supplier<ClassifyTraining> task = () -> {
            var encoderConfig = new EncoderConfig(Tokenizer.WORD, 8, 4, 3, CellType.LSTM, 8, 1, 2, 0.3f, true);
            var config = new ClassifierConfig(encoderConfig, Pooling.ATTENTION, 8, 40);
            var v = TextEncoder.vocabularies(encoderConfig, train.stream().map(t -> Classifier.tokens(config, t.text())).toList(), 0, 1);
            var rng = new Rng(5);
            var model = new Classifier(config, new TextEncoder(encoderConfig, v.get("words"), v.get("chars"), rng), List.of("negative", "positive"), rng);
            return new ClassifyTraining(model, train, all.subList(300, 340), null, 16, null, 3);   // dropout, attention, characters: all of it
        };
        var whole = RunFiles.of(dir.resolve("whole.safetensors"), "w").prepare();
        TrainingRecipe.run(task.get(), plan60, whole, null, new ArrayList<>());
        var parts = RunFiles.of(dir.resolve("parts.safetensors"), "p").prepare();
        TrainingRecipe.run(task.get(), plan30, parts, null, new ArrayList<>());
        TrainingRecipe.run(task.get(), plan60, parts, parts.checkpoint(), new ArrayList<>());
        // The checkpoints' final weights, not the model files' best validated ones (which could be from before the cut).
        var a = dev.recur.io.Checkpoint.read(whole.checkpoint()).model();
        var b = dev.recur.io.Checkpoint.read(parts.checkpoint()).model();
        assertThat(dev.recur.io.Checkpoint.read(parts.checkpoint()).trainer().get("step").asLong()).isEqualTo(60);
        a.forEach((name, t) -> assertThat(b.get(name).toArray()).as(name).containsExactly(t.toArray()));
    }

    /**
     * 50 texts in batches of 16 (the last of 2): the parts' gradients weighted by their texts, or by their texts'
     * class weights, make the whole batch's; three parts of 2 texts leave one empty.
     */
    @Test
    void partsOfABatchCombineToTheWholeBatchWithAndWithoutClassWeights() throws IOException {
        var all = LabelledText.read(Path.of("../data/sentiment/sentiment.tsv.gz"), "text", "label");
        var train = all.subList(0, 50);
        for (float[] weights : new float[][] {null, {0.4f, 1.7f}}) {
            double worst = dev.recur.train.PartsCheck.check(() -> {
                var encoderConfig = new EncoderConfig(Tokenizer.WORD, 8, 4, 3, CellType.LSTM, 8, 1, 2, 0f, true);
                var config = new ClassifierConfig(encoderConfig, Pooling.MEAN, 8, 40);
                var v = TextEncoder.vocabularies(encoderConfig, train.stream().map(t -> Classifier.tokens(config, t.text())).toList(), 0, 1);
                var rng = new Rng(5);
                var model = new Classifier(config, new TextEncoder(encoderConfig, v.get("words"), v.get("chars"), rng), List.of("negative", "positive"), rng);
                return new ClassifyTraining(model, train, all.subList(50, 60), null, 16, weights, 3);
            }, 4, 3, 1e-5);
            assertThat(worst).isLessThan(1e-5);
        }
    }
}
