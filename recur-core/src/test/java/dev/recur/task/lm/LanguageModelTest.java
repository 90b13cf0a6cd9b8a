package dev.recur.task.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.data.TextCorpus;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.io.ModelFile;
import dev.recur.nn.CellType;
import dev.recur.nn.Lengths;
import dev.recur.nn.RecurrentState;
import dev.recur.optim.Adam;
import dev.recur.optim.Schedule;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import dev.recur.train.Trainer;
import dev.recur.train.TrainerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LanguageModelTest {
    @TempDir
    Path dir;

    private static LanguageModel small(CellType cell, int layers) {
        var vocab = Vocabulary.build(Tokenizer.CHAR.split("abcdefgh \n"), 0);
        return new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, cell, 5, 6, layers, 0f), vocab, new Rng(3));
    }

    @Test
    void savedModelLoadsWithTheSameConfigurationVocabularyAndLogits() throws IOException {
        var lm = small(CellType.GRU, 2);
        Path file = dir.resolve("lm.safetensors");
        lm.save(file);
        var loaded = LanguageModel.load(file);
        assertThat(loaded.config()).isEqualTo(lm.config());
        assertThat(loaded.vocabulary().symbols()).isEqualTo(lm.vocabulary().symbols());
        int[] ids = {1, 2, 3, 4, 5, 6};
        lm.train(false);
        assertThat(loaded.forward(ids, 3, 2, null).logits().value().toArray())
                .containsExactly(lm.forward(ids, 3, 2, null).logits().value().toArray());
    }

    @Test
    void aModelOfAnotherKindIsRejectedByName() throws IOException {
        Path file = dir.resolve("stack.safetensors");
        ModelFile.write(file, "{\"type\": \"lstm\", \"input_size\": 3}", Map.of("weight_ih_l0", Tensor.zeros(4, 3)));
        assertThatThrownBy(() -> LanguageModel.load(file)).isInstanceOf(dev.recur.io.ModelFormatException.class)
                .hasMessage(file + ": this is a bare LSTM stack, not a language model; use it with recur encode");
    }

    @Test
    void stepByStepGivesTheLogitsOfOneForwardPass() {
        var lm = small(CellType.LSTM, 2);
        lm.train(false);
        int[] ids = {3, 1, 4, 1, 5};
        Tensor whole = lm.forward(ids, 5, 1, null).logits().value();
        RecurrentState state = null;
        for (int t = 0; t < 5; t++) {
            var out = lm.step(new int[] {ids[t]}, state);
            state = out.state();
            float[] expected = whole.select(t).toArray(), actual = out.logits().value().toArray();
            for (int v = 0; v < expected.length; v++) assertThat(actual[v]).isCloseTo(expected[v], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void sequencesOfDifferentLengthsInOneBatchGiveWhatEachGivesAlone() {
        var lm = small(CellType.LSTM, 2);
        lm.train(false);
        int[] a = {3, 1, 4, 1, 5}, b = {2, 7};
        int[] ids = new int[5 * 2];
        for (int t = 0; t < 5; t++) ids[t * 2] = a[t];
        for (int t = 0; t < 2; t++) ids[t * 2 + 1] = b[t];
        var batch = lm.forward(ids, Lengths.of(5, 2), null);
        int v = lm.vocabulary().size(), h = 6;
        for (int k = 0; k < 2; k++) {
            int[] own = k == 0 ? a : b;
            var alone = lm.forward(own, own.length, 1, null);
            for (int t = 0; t < own.length; t++) {
                for (int i = 0; i < v; i++) assertThat(batch.logits().value().at((t * 2 + k) * v + i)).isCloseTo(alone.logits().value().at(t * v + i), org.assertj.core.data.Offset.offset(1e-5f));
            }
            for (int l = 0; l < 2; l++) {
                for (int i = 0; i < h; i++) {
                    assertThat(batch.state().h().value().get(l, k, i)).isCloseTo(alone.state().h().value().get(l, 0, i), org.assertj.core.data.Offset.offset(1e-5f));
                    assertThat(batch.state().c().value().get(l, k, i)).isCloseTo(alone.state().c().value().get(l, 0, i), org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
        }
    }

    @Test
    void samplerHonoursTopKAndTopPAndNeverDrawsTheUnknownSymbol() {
        var logits = Tensor.of(new float[] {10f, 1f, 3f, 2f}, 4);   // id 0 is <unk>, and the most likely
        var rng = new Rng(1);
        var greedy = new Sampler(1f, 1, 1f);
        for (int i = 0; i < 50; i++) assertThat(greedy.draw(logits, rng)).isEqualTo(2);
        var nucleus = new Sampler(1f, 0, 0.5f);
        for (int i = 0; i < 50; i++) assertThat(nucleus.draw(logits, rng)).isEqualTo(2);
        var all = new Sampler(1f, 0, 1f);
        var seen = new java.util.HashSet<Integer>();
        for (int i = 0; i < 500; i++) seen.add(all.draw(logits, rng));
        assertThat(seen).containsExactlyInAnyOrder(1, 2, 3);
        assertThatThrownBy(() -> new Sampler(0f, 0, 1f)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new Sampler(1f, 0, 0f)).hasMessageContaining("top-p");
    }

    @Test
    void learnsRealNamesBeyondACharacterCountTable() throws IOException {
        String train = TextCorpus.read(Path.of("../data/names/train.txt.gz"));
        String valid = TextCorpus.read(Path.of("../data/names/valid.txt.gz"));
        var vocab = Vocabulary.build(Tokenizer.CHAR.split(train), 0);
        var lm = new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.LSTM, 16, 64, 1, 0f), vocab, new Rng(5));
        int[] trainIds = Tokenizer.CHAR.encode(train, vocab), validIds = Tokenizer.CHAR.encode(valid, vocab);
        var task = new LanguageModelTraining(lm, trainIds, validIds, 32, 32, 8);
        double before = task.validate().value();
        new Trainer(task, new Adam(lm.parameters(), 0.01f), Schedule.constant(), TrainerConfig.steps(150, 0.01f).withClip(1.0), List.of()).run();
        double after = task.validate().value();

        double unigram = unigramEntropy(trainIds, validIds, vocab.size());
        assertThat(before).isGreaterThan(Math.log(vocab.size()) - 0.2);
        assertThat(after).as("validation nats per character; a unigram count table scores %.3f", unigram).isLessThan(unigram - 0.25);
    }

    @Test
    void overlappingChunksTrainAndMatchPlainChunksWhenTheStrideIsTheWindow() throws IOException {
        String train = TextCorpus.read(Path.of("../data/names/train.txt.gz")).substring(0, 4000);
        var vocab = Vocabulary.build(Tokenizer.CHAR.split(train), 0);
        int[] ids = Tokenizer.CHAR.encode(train, vocab);
        float[][] results = new float[3][];
        int[][] settings = {{16, 16}, {16, 16}, {16, 8}};
        for (int run = 0; run < 3; run++) {
            var lm = new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.LSTM, 8, 16, 1, 0f), vocab, new Rng(2));
            var task = run == 0 ? new LanguageModelTraining(lm, ids, ids, 8, 16, 8)
                    : new LanguageModelTraining(lm, ids, ids, 8, settings[run][0], settings[run][1], 8);
            for (long step = 0; step < 5; step++) {
                lm.zeroGrad();
                var batch = task.trainBatch(step);
                assertThat(batch.loss()).isFinite();
            }
            results[run] = lm.namedParameters().get("rnn.weight_hh_l0").grad().toArray();
        }
        assertThat(results[1]).containsExactly(results[0]);        // stride = window: the plain layout
        assertThat(results[2]).isNotEqualTo(results[0]);          // overlapping windows: other chunks, other gradients
    }

    @Test
    void partsOfABatchCombineToTheWholeBatchAcrossCarriedState() throws IOException {
        String train = TextCorpus.read(Path.of("../data/names/train.txt.gz")).substring(0, 3000);
        var vocab = Vocabulary.build(Tokenizer.CHAR.split(train), 0);
        int[] ids = Tokenizer.CHAR.encode(train, vocab);
        for (int[] strideOf : new int[][] {{12, 12}, {12, 5}}) {
            double worst = dev.recur.train.PartsCheck.check(() -> new LanguageModelTraining(
                    new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.LSTM, 8, 16, 2, 0f), vocab, new Rng(2)),
                    ids, ids, 8, strideOf[0], strideOf[1], 8), 6, 4, 1e-5);
            assertThat(worst).isLessThan(1e-5);
        }
        var lm = new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.GRU, 4, 4, 1, 0f), vocab, new Rng(2));
        assertThatThrownBy(() -> new LanguageModelTraining(lm, ids, ids, 6, 12, 8).trainBatch(0, 1, 4))
                .hasMessage("6 streams do not divide among 4 parts");
    }

    /** Cross-entropy of the validation text under the training text's character frequencies (add-one smoothed). */
    private static double unigramEntropy(int[] train, int[] valid, int v) {
        var counts = new HashMap<Integer, Integer>();
        for (int id : train) counts.merge(id, 1, Integer::sum);
        double total = train.length + v, nats = 0;
        for (int id : valid) nats -= Math.log((counts.getOrDefault(id, 0) + 1) / total);
        return nats / valid.length;
    }
}
