package dev.recur.onnx;

import static dev.recur.onnx.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.recur.data.Vocabulary;
import dev.recur.io.ModelFormatException;
import dev.recur.nn.Attention;
import dev.recur.nn.CellType;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.onnx.Ort.Longs;
import dev.recur.task.Models;
import dev.recur.task.seq2seq.Search;
import dev.recur.task.seq2seq.Seq2Seq;
import dev.recur.task.seq2seq.Seq2SeqConfig;
import dev.recur.task.seq2seq.Seq2SeqSteps;
import dev.recur.task.seq2seq.Unit;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An exported sequence-to-sequence model's encoder and decoder graphs run in ONNX Runtime and give Recur's results
 * to 1e-5 relative ({@link Close}) on a padded batch of sources with unsorted lengths (3, 5, 1) and an unknown
 * symbol, for LSTM and GRU and every attention form: the encoder's memory, keys and initial state, then five greedy
 * steps driven by ONNX Runtime's own outputs, whose logits, states, attentional states and attention weights match
 * Recur's steps, and whose symbols are {@link Search#greedy}'s.
 */
class Seq2SeqExportTest {
    private static final Vocabulary SOURCES = Vocabulary.of(List.of(Vocabulary.UNKNOWN, "a", "b", "c", "d"));
    private static final Vocabulary TARGETS = Vocabulary.of(List.of(Vocabulary.UNKNOWN, Seq2Seq.START, Seq2Seq.END, "x", "y", "z", "w"));
    private static final List<int[]> BATCH = List.of(new int[] {1, 2, 3}, new int[] {4, 0, 2, 1, 3}, new int[] {2});
    private static final int S = 5, B = 3, STEPS = 5;

    record Case(CellType cell, Attention.Form form) {
        @Override
        public String toString() {
            return cell.name().toLowerCase() + ", " + form.label();
        }
    }

    static Stream<Case> cases() {
        return Stream.of(CellType.LSTM, CellType.GRU).flatMap(cell -> Stream.of(Attention.Form.values()).map(form -> new Case(cell, form)));
    }

    private static Seq2Seq model(Case c, int seed) {
        // Two encoder and two decoder layers; the decoder's 6 = 2·He, as dot attention needs.
        var config = new Seq2SeqConfig(5, c.cell(), 3, 2, 6, 2, c.form(), 4, 0f, 0f);
        return new Seq2Seq(config, new Unit.Side(Unit.CHAR, null), new Unit.Side(Unit.WORD, null), SOURCES, TARGETS, new Rng(seed));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encoderAndGreedyDecoderStepsGiveRecursResults(Case c) throws Exception {
        Seq2Seq model = model(c, c.hashCode());
        boolean lstm = c.cell() == CellType.LSTM;
        var graphs = Seq2SeqExport.graphs(model, model.configJson().toString(), Inputs.ALL, 17);
        var recur = new Seq2SeqSteps(model, BATCH);
        List<Search.Result> greedy = Search.greedy(model, BATCH, Search.Options.greedy());

        long[] source = new long[S * B], lengths = new long[B];
        for (int b = 0; b < B; b++) {
            lengths[b] = BATCH.get(b).length;
            for (int t = 0; t < lengths[b]; t++) source[t * B + b] = BATCH.get(b)[t];
        }
        var encoded = Ort.run(graphs.encoder(), Map.of("source", new Longs(source, S, B), "lengths", Longs.vector(lengths)));
        assertClose("memory", encoded.get("memory"), recur.memory());
        assertClose("keys", encoded.get("keys"), recur.keys());
        assertClose("h0", encoded.get("h0"), recur.h());
        if (lstm) assertClose("c0", encoded.get("c0"), recur.c());

        long[] previous = {Seq2Seq.START_ID, Seq2Seq.START_ID, Seq2Seq.START_ID};
        Tensor h = encoded.get("h0"), cell = encoded.get("c0"), feed = Tensor.zeros(B, 6);
        for (int step = 0; step < STEPS; step++) {
            var feeds = new HashMap<String, Object>(Map.of("previous", Longs.vector(previous), "h", h, "feed", feed,
                    "memory", encoded.get("memory"), "keys", encoded.get("keys"), "lengths", Longs.vector(lengths)));
            if (lstm) feeds.put("c", cell);
            var out = Ort.run(graphs.decoder(), feeds);
            Seq2SeqSteps.Step expected = recur.step(toInts(previous));
            String at = "step " + step + " ";
            assertClose(at + "logits", out.get("logits"), expected.logits());
            assertClose(at + "attentional", out.get("attentional"), expected.attentional());
            assertClose(at + "attention", out.get("attention"), transposed(expected.attention()));
            assertClose(at + "h_n", out.get("h_n"), recur.h());
            if (lstm) assertClose(at + "c_n", out.get("c_n"), recur.c());
            for (int b = 0; b < B; b++) {
                int symbol = argmax(out.get("logits"), b);
                assertThat(symbol).as(at + "symbol of source " + b).isEqualTo(argmax(expected.logits(), b));
                Search.Hypothesis best = greedy.get(b).best();
                if (step < best.tokens().length) assertThat(symbol).as(at + "greedy symbol of source " + b).isEqualTo(best.tokens()[step]);
                else if (step == best.tokens().length && best.finished()) assertThat(symbol).isEqualTo(Seq2Seq.END_ID);
                previous[b] = symbol;
            }
            h = out.get("h_n");
            cell = out.get("c_n");
            feed = out.get("attentional");
        }
    }

    @Test
    void graphsDeclareTheDocumentedInputsAndOutputs() {
        var lstm = Seq2SeqExport.graphs(model(new Case(CellType.LSTM, Attention.Form.GENERAL), 1), "{}", Inputs.ALL, 14);
        assertThat(names(lstm.encoder().getGraph().getInputList())).containsExactly("source", "lengths");
        assertThat(names(lstm.encoder().getGraph().getOutputList())).containsExactly("memory", "keys", "h0", "c0");
        assertThat(names(lstm.decoder().getGraph().getInputList())).containsExactly("previous", "h", "c", "feed", "memory", "keys", "lengths");
        assertThat(names(lstm.decoder().getGraph().getOutputList())).containsExactly("logits", "h_n", "c_n", "attentional", "attention");
        var gru = Seq2SeqExport.graphs(model(new Case(CellType.GRU, Attention.Form.DOT), 1), "{}", Inputs.ALL, 17);
        assertThat(names(gru.encoder().getGraph().getOutputList())).containsExactly("memory", "keys", "h0");
        assertThat(names(gru.decoder().getGraph().getInputList())).containsExactly("previous", "h", "feed", "memory", "keys", "lengths");
    }

    @Test
    void filesAreNamedAfterOut() {
        assertThat(Seq2SeqExport.encoderFile(Path.of("dir", "g2p.onnx"))).isEqualTo(Path.of("dir", "g2p.encoder.onnx"));
        assertThat(Seq2SeqExport.decoderFile(Path.of("g2p.onnx"))).isEqualTo(Path.of("g2p.decoder.onnx"));
        assertThat(Seq2SeqExport.decoderFile(Path.of("g2p"))).isEqualTo(Path.of("g2p.decoder.onnx"));
    }

    @Test
    void onnxExportGivesTwoFilesAndRefusesOneGraph(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("g2p.safetensors");
        model(new Case(CellType.GRU, Attention.Form.DOT), 3).save(file);
        Models.Opened opened = Models.open(file);

        assertThat(OnnxExport.files(opened, dir.resolve("g2p.onnx"), Inputs.ALL, 17).keySet())
                .containsExactly(dir.resolve("g2p.encoder.onnx"), dir.resolve("g2p.decoder.onnx"));
        assertThatThrownBy(() -> OnnxExport.of(opened, Inputs.ALL, 17)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("a sequence-to-sequence model exports as two graphs, an encoder and a decoder");
    }

    @Test
    void inputsInputIsRefused() {
        Seq2Seq model = model(new Case(CellType.GRU, Attention.Form.ADDITIVE), 2);
        assertThatThrownBy(() -> Seq2SeqExport.graphs(model, "{}", Inputs.INPUT, 17)).isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("sequence-to-sequence model's graphs need lengths");
    }

    private static List<String> names(List<ValueInfoProto> values) {
        return values.stream().map(ValueInfoProto::getName).toList();
    }

    private static int[] toInts(long[] values) {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) ints[i] = (int) values[i];
        return ints;
    }

    private static int argmax(Tensor logits, int row) {
        int v = logits.dim(1), best = 0;
        for (int j = 1; j < v; j++) if (logits.at(row * v + j) > logits.at(row * v + best)) best = j;
        return best;
    }

    /** [N, S] → [S, N]. */
    private static Tensor transposed(Tensor m) {
        int rows = m.dim(0), columns = m.dim(1);
        Tensor t = Tensor.zeros(columns, rows);
        for (int i = 0; i < rows; i++) for (int j = 0; j < columns; j++) t.data()[j * rows + i] = m.at(i * columns + j);
        return t;
    }
}
