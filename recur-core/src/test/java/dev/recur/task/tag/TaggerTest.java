package dev.recur.task.tag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.data.Tokenizer;
import dev.recur.io.ModelFile;
import dev.recur.nn.CellType;
import dev.recur.optim.OptimizerType;
import dev.recur.optim.ScheduleType;
import dev.recur.task.Models;
import dev.recur.task.score.TagScheme;
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

class TaggerTest {
    @TempDir
    Path dir;

    private static Tagger tagger(TaggerConfig.Head head, List<TaggedSentence> training) {
        return tagger(head, training, 0.2f);
    }

    private static Tagger tagger(TaggerConfig.Head head, List<TaggedSentence> training, float dropout) {
        var config = new EncoderConfig(Tokenizer.WORD, 16, 8, 8, CellType.LSTM, 24, 1, 2, dropout, true);
        var tokens = training.stream().map(TaggedSentence::tokens).toList();
        var gold = training.stream().map(TaggedSentence::tags).toList();
        var v = TextEncoder.vocabularies(config, tokens, 0, 2);
        var tags = gold.stream().flatMap(List::stream).distinct().sorted().toList();
        var rng = new Rng(2);
        return new Tagger(new TaggerConfig(config, head), new TextEncoder(config, v.get("words"), v.get("chars"), rng), tags, TagScheme.detect(gold), rng);
    }

    private static List<TaggedSentence> brown(String set, String part, int from, int to) throws IOException {
        return TaggedSentence.read(Path.of("../data/" + set + "/" + part + ".conll.gz"), -1).subList(from, to);
    }

    @Test
    void learnsRealPartOfSpeechTagsFarAboveTheMostFrequentTagAndOpensThroughTheRegistry() throws IOException {
        var train = brown("brown-pos", "train", 0, 1500);
        var model = tagger(TaggerConfig.Head.SOFTMAX, train);
        var task = new TagTraining(model, train, brown("brown-pos", "valid", 0, 200), brown("brown-pos", "test", 0, 200), 32, 1);
        var plan = new TrainingPlan(250, 0, null, OptimizerType.ADAM, 0.005f, 1.0, ScheduleType.CONSTANT, 0, 0.2, 125, 0, 0);
        var files = RunFiles.of(dir.resolve("pos.safetensors"), "pos").prepare();
        var outcome = TrainingRecipe.run(task, plan, files, null, new ArrayList<>());
        // The most frequent tag of each word scores about 0.9 on Brown with the whole training set; a few
        // hundred steps on 1,500 sentences get past 0.8 with the character encoder reading the unknown words.
        assertThat(outcome.test().orElseThrow().get("accuracy")).isGreaterThan(0.8);
        Tagger loaded = Models.open(files.model(), Tagger.class);
        var sentence = List.of(List.of("The", "jury", "praised", "the", "city", "."));
        assertThat(loaded.predict(sentence)).isEqualTo(model.predict(sentence));
    }

    @Test
    void theCrfNeverDecodesAnInvalidBioTransition() throws IOException {
        var train = brown("brown-names", "train", 0, 300);
        var model = tagger(TaggerConfig.Head.CRF, train);
        assertThat(model.scheme()).isEqualTo(TagScheme.BIO);
        var transitions = model.scheme().transitions(model.tags());
        var sentences = brown("brown-names", "test", 0, 100).stream().map(TaggedSentence::tokens).toList();
        // Untrained: the emissions are noise, so only the constraints keep the paths valid.
        for (int[] path : model.predictIndices(sentences)) assertThat(transitions.allows(path)).isTrue();
    }

    @Test
    void aTaggedSentenceScoresTheSameAloneAndInAPaddedBatch() throws IOException {
        var train = brown("brown-names", "train", 0, 100);
        var model = tagger(TaggerConfig.Head.CRF, train);
        var sentences = train.subList(0, 8).stream().map(TaggedSentence::tokens).toList();
        var batched = model.predict(sentences);
        for (int i = 0; i < sentences.size(); i++) assertThat(model.predict(List.of(sentences.get(i))).get(0)).isEqualTo(batched.get(i));
    }

    @Test
    void aModelFileOfAnotherTaskIsRefusedByName() throws IOException {
        var train = brown("brown-pos", "train", 0, 20);
        var model = tagger(TaggerConfig.Head.SOFTMAX, train);
        var tensors = new LinkedHashMap<String, Tensor>();
        model.namedParameters().forEach((name, p) -> tensors.put(name, p.value()));
        Path file = dir.resolve("t.safetensors");
        ModelFile.write(file, model.configJson(), tensors);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Models.open(file, dev.recur.task.classify.Classifier.class))
                .hasMessage(file + ": this is a sequence tagger, not a text classifier; use it with recur tag");
    }

    @Test
    void resumingACrfTaggerGivesTheWeightsOfOneUninterruptedRun() throws IOException {
        var train = brown("brown-names", "train", 0, 200);
        var valid = brown("brown-names", "valid", 0, 30);
        var plan30 = new TrainingPlan(30, 0, null, OptimizerType.ADAM, 0.005f, 1.0, ScheduleType.PLATEAU, 5, 0.5, 10, 0, 0);
        var plan60 = new TrainingPlan(60, 0, null, OptimizerType.ADAM, 0.005f, 1.0, ScheduleType.PLATEAU, 5, 0.5, 10, 0, 0);
        var whole = RunFiles.of(dir.resolve("whole.safetensors"), "w").prepare();
        TrainingRecipe.run(new TagTraining(tagger(TaggerConfig.Head.CRF, train), train, valid, null, 16, 3), plan60, whole, null, new ArrayList<>());
        var parts = RunFiles.of(dir.resolve("parts.safetensors"), "p").prepare();
        TrainingRecipe.run(new TagTraining(tagger(TaggerConfig.Head.CRF, train), train, valid, null, 16, 3), plan30, parts, null, new ArrayList<>());
        TrainingRecipe.run(new TagTraining(tagger(TaggerConfig.Head.CRF, train), train, valid, null, 16, 3), plan60, parts, parts.checkpoint(), new ArrayList<>());
        // The checkpoints' final weights, not the model files' best validated ones (which could be from before the cut).
        var a = dev.recur.io.Checkpoint.read(whole.checkpoint()).model();
        var b = dev.recur.io.Checkpoint.read(parts.checkpoint()).model();
        assertThat(dev.recur.io.Checkpoint.read(parts.checkpoint()).trainer().get("step").asLong()).isEqualTo(60);
        a.forEach((name, t) -> assertThat(b.get(name).toArray()).as(name).containsExactly(t.toArray()));
    }

    /**
     * 26 sentences in batches of 12 (the last of 2), softmax and CRF heads: the parts' gradients weighted by their
     * tokens make the whole batch's; three parts of 2 sentences leave one empty.
     */
    @Test
    void partsOfABatchCombineToTheWholeBatchWithEitherHead() throws IOException {
        var train = brown("brown-names", "valid", 0, 26);
        for (TaggerConfig.Head head : TaggerConfig.Head.values()) {
            double worst = dev.recur.train.PartsCheck.check(() -> new TagTraining(tagger(head, train, 0f), train, train.subList(0, 5), null, 12, 3), 3, 3, 1e-5);
            assertThat(worst).as("%s head", head).isLessThan(1e-5);
        }
    }
}
