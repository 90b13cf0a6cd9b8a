package dev.recur.task.seq2seq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.GradCheck;
import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.data.Pairs;
import dev.recur.data.Vocabulary;
import dev.recur.io.ModelFormatException;
import dev.recur.nn.Attention;
import dev.recur.nn.CellType;
import dev.recur.task.Models;
import dev.recur.task.tag.Tagger;
import dev.recur.tensor.Rng;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Seq2SeqTest {
    @TempDir
    Path dir;

    private static final List<int[]> SOURCES = List.of(new int[] {1, 2, 3}, new int[] {2}, new int[] {3, 3, 1, 2});
    private static final List<int[]> TARGETS = List.of(new int[] {3, 4}, new int[] {}, new int[] {4, 4, 3, 3, 4});

    @ParameterizedTest
    @EnumSource(Attention.Form.class)
    void theLossMatchesFiniteDifferencesForEveryParameter(Attention.Form form) {
        var config = new Seq2SeqConfig(3, CellType.LSTM, 2, 2, 4, 1, form, 3, 0f, 0.1f);
        var model = model(config, 5);
        GradCheck.of(() -> model.loss(SOURCES, TARGETS)).withRespectTo(model.namedParameters())
                .assertMatches(Tolerance.relative(2e-2).absolute(2e-3));
    }

    @Test
    void aGruModelWithTwoDecoderLayersMatchesFiniteDifferences() {
        var config = new Seq2SeqConfig(3, CellType.GRU, 2, 1, 4, 2, Attention.Form.ADDITIVE, 3, 0f, 0f);
        var model = model(config, 6);
        GradCheck.of(() -> model.loss(SOURCES, TARGETS)).withRespectTo(model.namedParameters())
                .assertMatches(Tolerance.relative(2e-2).absolute(2e-3));
    }

    @Test
    void paddingNeverChangesTheLoss() {
        var model = model(new Seq2SeqConfig(6, CellType.LSTM, 4, 2, 8, 1, Attention.Form.GENERAL, 8, 0f, 0.1f), 7);
        double batch = model.loss(SOURCES, TARGETS).value().item(), sum = 0;
        int tokens = 0;
        for (int i = 0; i < SOURCES.size(); i++) {
            int n = TARGETS.get(i).length + 1;
            sum += n * model.loss(List.of(SOURCES.get(i)), List.of(TARGETS.get(i))).value().item();
            tokens += n;
        }
        assertThat(batch).isCloseTo(sum / tokens, within(1e-5));
    }

    @Test
    void aModelFileKeepsUnitsVocabulariesAndWeights() throws Exception {
        var pairs = Pairs.parse("el cielo\tthe heaven\nla tierra\tthe earth\nel cielo y la tierra\tthe heaven and the earth\n");
        var bpe = Bpe.learn(pairs.stream().map(Pairs.Pair::source).toList(), 5);
        var config = new Seq2SeqConfig(6, CellType.LSTM, 4, 1, 8, 1, Attention.Form.ADDITIVE, 5, 0.2f, 0.1f);
        var source = new Unit.Side(Unit.BPE, bpe);
        var symbols = new java.util.ArrayList<String>(List.of(Vocabulary.UNKNOWN));
        pairs.forEach(p -> source.split(p.source()).stream().filter(s -> !symbols.contains(s)).forEach(symbols::add));
        var model = new Seq2Seq(config, source, new Unit.Side(Unit.WORD, null), Vocabulary.of(symbols),
                Vocabulary.of(List.of(Vocabulary.UNKNOWN, Seq2Seq.START, Seq2Seq.END, "the", "heaven", "earth", "and")), new Rng(3));
        Path file = dir.resolve("m.safetensors");
        model.save(file);
        var loaded = Models.open(file, Seq2Seq.class);
        assertThat(loaded.configJson()).isEqualTo(model.configJson());
        assertThat(loaded.sourceSide().bpe().merges()).isEqualTo(bpe.merges());
        var ids = List.of(model.sourceIds("el cielo y la tierra"), model.sourceIds("la tierra"));
        assertThat(loaded.sourceIds("el cielo y la tierra")).containsExactly(ids.get(0));
        var options = Search.Options.beam(3).withNBest(2);
        var a = Search.beam(model, ids, options);
        var b = Search.beam(loaded, ids, options);
        for (int i = 0; i < ids.size(); i++) {
            assertThat(b.get(i).best().tokens()).containsExactly(a.get(i).best().tokens());
            assertThat(b.get(i).best().score()).isEqualTo(a.get(i).best().score());
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Models.open(file, Tagger.class))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("sequence-to-sequence model, not a sequence tagger");
    }

    /**
     * 20 pairs of 1–6 characters and 0–4 words in batches of 6 (the last of 2), with label smoothing: the parts'
     * gradients weighted by their target tokens (with each {@code </s>}) make the whole batch's; three parts of 2
     * pairs leave one empty.
     */
    @Test
    void partsOfABatchCombineToTheWholeBatch() {
        var random = new java.util.Random(8);
        var pairs = new java.util.ArrayList<Pairs.Pair>();
        for (int i = 0; i < 20; i++) {
            var source = new StringBuilder();
            for (int n = 1 + random.nextInt(6); n > 0; n--) source.append("xyz".charAt(random.nextInt(3)));
            var target = new java.util.StringJoiner(" ");
            for (int n = random.nextInt(5); n > 0; n--) target.add(random.nextBoolean() ? "a" : "b");
            pairs.add(new Pairs.Pair(source.toString(), target.toString(), i + 1));
        }
        var config = new Seq2SeqConfig(4, CellType.LSTM, 3, 2, 5, 1, Attention.Form.ADDITIVE, 4, 0f, 0.1f);
        double worst = dev.recur.train.PartsCheck.check(
                () -> new Seq2SeqTraining(model(config, 9), pairs, References.of(pairs.subList(0, 3)), null, "bleu", 6, 2), 4, 3, 1e-5);
        assertThat(worst).isLessThan(1e-5);
    }

    private static Seq2Seq model(Seq2SeqConfig config, long seed) {
        var model = new Seq2Seq(config, new Unit.Side(Unit.CHAR, null), new Unit.Side(Unit.WORD, null), Vocabulary.of(List.of("<unk>", "x", "y", "z")),
                Vocabulary.of(List.of("<unk>", Seq2Seq.START, Seq2Seq.END, "a", "b")), new Rng(seed));
        for (var p : model.parameters()) for (int i = 0; i < p.value().size(); i++) p.value().data()[p.value().offset() + i] *= 1.5f;
        return model;
    }
}
