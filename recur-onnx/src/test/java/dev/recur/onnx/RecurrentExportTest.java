package dev.recur.onnx;

import static dev.recur.onnx.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.io.ModelFormatException;
import dev.recur.nn.CellType;
import dev.recur.nn.Lengths;
import dev.recur.nn.Nonlinearity;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentOutput;
import dev.recur.nn.RecurrentState;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exported stacks run in ONNX Runtime and give Recur's outputs, h_n and c_n to 1e-5 relative (see {@link Close}),
 * for F=3, H=4, T=5, B=3.
 */
class RecurrentExportTest {
    private static final int F = 3, H = 4, T = 5, B = 3;
    private static final long[] FULL = {T, T, T}, UNSORTED = {3, 5, 1};

    enum Cell {
        RNN_TANH, RNN_RELU, LSTM, GRU, GRU_RESET_BEFORE;

        RecurrentConfig config() {
            return switch (this) {
                case RNN_TANH -> RecurrentConfig.rnn(F, H);
                case RNN_RELU -> RecurrentConfig.rnn(F, H).withNonlinearity(Nonlinearity.RELU);
                case LSTM -> RecurrentConfig.lstm(F, H);
                case GRU -> RecurrentConfig.gru(F, H);
                case GRU_RESET_BEFORE -> RecurrentConfig.gru(F, H).withResetBefore();
            };
        }
    }

    record Case(Cell cell, int layers, int directions, boolean bias, long[] lengths, boolean givenState, boolean batchFirst) {
        RecurrentConfig config() {
            var c = cell.config().withLayers(layers).withDirections(directions).withBias(bias);
            return batchFirst ? c.withBatchFirst() : c;
        }

        @Override
        public String toString() {
            return config().describe() + ", lengths " + Arrays.toString(lengths) + (givenState ? ", given state" : ", zero state");
        }
    }

    /**
     * The full product for the PyTorch-form cells (256 cases); the reset-before GRU (linear_before_reset=0) gets a
     * subset that still covers layers, directions, bias, padding, given state and batch-first (16 cases).
     */
    static Stream<Case> matrix() {
        var cases = new ArrayList<Case>();
        for (int layers = 1; layers <= 2; layers++)
            for (int d = 1; d <= 2; d++)
                for (boolean bias : new boolean[] {true, false})
                    for (boolean batchFirst : new boolean[] {false, true})
                        cases.add(new Case(Cell.GRU_RESET_BEFORE, layers, d, bias, batchFirst ? FULL : UNSORTED, !batchFirst || bias, batchFirst));
        for (Cell cell : List.of(Cell.RNN_TANH, Cell.RNN_RELU, Cell.LSTM, Cell.GRU))
            for (int layers = 1; layers <= 2; layers++)
                for (int d = 1; d <= 2; d++)
                    for (boolean bias : new boolean[] {true, false})
                        for (long[] lengths : List.of(FULL, UNSORTED))
                            for (boolean state : new boolean[] {false, true})
                                for (boolean batchFirst : new boolean[] {false, true})
                                    cases.add(new Case(cell, layers, d, bias, lengths, state, batchFirst));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void onnxRuntimeGivesRecursOutputsAndFinalStates(Case c) throws Exception {
        var rng = new Rng(c.hashCode());
        Recurrent rnn = Recurrent.of(c.config(), rng);
        Tensor x = c.batchFirst() ? Tensor.randn(rng, B, T, F) : Tensor.randn(rng, T, B, F);
        RecurrentState state = c.givenState() ? randomState(rnn, rng) : rnn.zeroState(B);

        Map<String, Tensor> ort = Ort.run(RecurrentExport.model(rnn, Inputs.ALL, 17), feeds(x, c.lengths(), state));
        RecurrentOutput recur = forward(rnn, x, c.lengths(), state);

        assertMatches(ort, recur);
        assertZerosPastLengths(ort.get("output"), c.lengths(), c.batchFirst());
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void inputOnlyGraphRunsFullLengthsFromZeroState(Cell cell) throws Exception {
        var rng = new Rng(11);
        Recurrent rnn = Recurrent.of(cell.config().withLayers(2).withDirections(2), rng);
        Tensor x = Tensor.randn(rng, T, B, F);

        ModelProto model = RecurrentExport.model(rnn, Inputs.INPUT, 17);
        assertThat(model.getGraph().getInputList()).extracting(ValueInfoProto::getName).containsExactly("input");
        assertMatches(Ort.run(model, Map.of("input", x)), forward(rnn, x, FULL, null));
    }

    @ParameterizedTest
    @ValueSource(ints = {14, 15, 16, 17})
    void everyOpsetFrom14To17RunsTheSame(int opset) throws Exception {
        var rng = new Rng(5);
        Recurrent rnn = Recurrent.of(RecurrentConfig.lstm(F, H).withLayers(2).withDirections(2).withBatchFirst(), rng);
        Tensor x = Tensor.randn(rng, B, T, F);
        RecurrentState state = randomState(rnn, rng);

        ModelProto model = RecurrentExport.model(rnn, Inputs.ALL, opset);
        assertThat(model.getOpsetImport(0).getVersion()).isEqualTo(opset);
        assertMatches(Ort.run(model, feeds(x, UNSORTED, state)), forward(rnn, x, UNSORTED, state));
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void streamingTwoChunksThroughHnEqualsOnePass(Cell cell) throws Exception {
        var rng = new Rng(3);
        Recurrent rnn = Recurrent.of(cell.config().withLayers(2), rng);
        Tensor x = Tensor.randn(rng, T, B, F);
        ModelProto model = RecurrentExport.model(rnn, Inputs.ALL, 17);
        RecurrentState zero = rnn.zeroState(B);

        Map<String, Tensor> whole = Ort.run(model, feeds(x, FULL, zero));
        Map<String, Tensor> first = Ort.run(model, feeds(x.slice(0, 2), new long[] {2, 2, 2}, zero));
        var carried = cell == Cell.LSTM ? RecurrentState.of(first.get("h_n"), first.get("c_n")) : RecurrentState.of(first.get("h_n"));
        Map<String, Tensor> second = Ort.run(model, feeds(x.slice(2, T), new long[] {3, 3, 3}, carried));

        assertClose("output[0:2]", first.get("output"), whole.get("output").slice(0, 2));
        assertClose("output[2:5]", second.get("output"), whole.get("output").slice(2, T));
        assertClose("h_n", second.get("h_n"), whole.get("h_n"));
        if (cell == Cell.LSTM) assertClose("c_n", second.get("c_n"), whole.get("c_n"));
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void everySequenceShorterThanTheInputKeepsZerosToTheEnd(Cell cell) throws Exception {
        var rng = new Rng(9);
        Recurrent rnn = Recurrent.of(cell.config().withLayers(2).withDirections(2), rng);
        Tensor x = Tensor.randn(rng, T, B, F);
        long[] lengths = {2, 4, 1};
        RecurrentState state = randomState(rnn, rng);

        Map<String, Tensor> ort = Ort.run(RecurrentExport.model(rnn, Inputs.ALL, 17), feeds(x, lengths, state));
        assertMatches(ort, forward(rnn, x, lengths, state));
        assertZerosPastLengths(ort.get("output"), lengths, false);
    }

    @Test
    void modelCarriesIrVersionOpsetProducerConfigAndDynamicAxes() {
        Recurrent rnn = Recurrent.of(RecurrentConfig.gru(F, H).withLayers(2).withDirections(2).withBatchFirst(), new Rng(1));
        ModelProto model = RecurrentExport.model(rnn, Inputs.ALL, 17);

        assertThat(model.getIrVersion()).isEqualTo(8);
        assertThat(model.getOpsetImport(0).getDomain()).isEmpty();
        assertThat(model.getProducerName()).isEqualTo("recur");
        assertThat(model.getMetadataProps(0).getKey()).isEqualTo("recur.config");
        assertThat(model.getMetadataProps(0).getValue()).contains("\"type\":\"gru\"", "\"batch_first\":true");
        var graph = model.getGraph();
        assertThat(graph.getInputList()).extracting(ValueInfoProto::getName).containsExactly("input", "lengths", "h0");
        assertThat(graph.getOutputList()).extracting(ValueInfoProto::getName).containsExactly("output", "h_n");
        assertThat(dims(graph.getInput(0))).containsExactly("B", "T", "3");
        assertThat(dims(graph.getInput(2))).containsExactly("4", "B", "4");
        assertThat(dims(graph.getOutput(0))).containsExactly("B", "T", "8");
        assertThat(graph.getNodeList()).filteredOn(n -> n.getOpType().equals("GRU")).hasSize(2);
        assertThat(graph.getNodeList().stream().map(n -> n.getName()).distinct().count()).isEqualTo(graph.getNodeCount());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aGruIsWrittenWithLinearBeforeResetOneForPyTorchsFormAndZeroForResetBefore(boolean resetAfter) {
        var config = RecurrentConfig.gru(F, H).withLayers(2);
        Recurrent rnn = Recurrent.of(resetAfter ? config : config.withResetBefore(), new Rng(1));
        var grus = RecurrentExport.model(rnn, Inputs.ALL, 17).getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("GRU")).toList();
        assertThat(grus).hasSize(2).allSatisfy(n -> assertThat(n.getAttributeList())
                .filteredOn(a -> a.getName().equals("linear_before_reset")).singleElement()
                .satisfies(a -> assertThat(a.getI()).isEqualTo(resetAfter ? 1 : 0)));
    }

    @Test
    void anLstmWithProjectionIsRefusedInOneLine() {
        Recurrent rnn = Recurrent.of(RecurrentConfig.lstm(F, H).withProjSize(2), new Rng(1));
        assertThatThrownBy(() -> RecurrentExport.model(rnn, Inputs.ALL, 17))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("Lstm(3 -> 4, proj=2): an LSTM with projection (proj_size=2) has no ONNX operator; Recur cannot export it");
    }

    @Test
    void anOpsetOutside14To17IsRefused() {
        Recurrent rnn = Recurrent.of(RecurrentConfig.rnn(F, H), new Rng(1));
        assertThatThrownBy(() -> RecurrentExport.model(rnn, Inputs.ALL, 13))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage("opset 13 is not supported; Recur exports ONNX opsets 14 to 17 (default 17)");
    }

    private static List<String> dims(ValueInfoProto v) {
        return v.getType().getTensorType().getShape().getDimList().stream()
                .map(d -> d.hasDimParam() ? d.getDimParam() : String.valueOf(d.getDimValue())).toList();
    }

    static RecurrentState randomState(Recurrent rnn, Rng rng) {
        RecurrentState zero = rnn.zeroState(B);
        Tensor h = Tensor.randn(rng, zero.h().value().shape());
        return zero.c() == null ? RecurrentState.of(h) : RecurrentState.of(h, Tensor.randn(rng, zero.c().value().shape()));
    }

    static Map<String, Object> feeds(Tensor x, long[] lengths, RecurrentState state) {
        var feeds = new LinkedHashMap<String, Object>();
        feeds.put("input", x);
        feeds.put("lengths", lengths);
        feeds.put("h0", state.h().value());
        if (state.c() != null) feeds.put("c0", state.c().value());
        return feeds;
    }

    static RecurrentOutput forward(Recurrent rnn, Tensor x, long[] lengths, RecurrentState state) {
        try (var off = Tape.noGrad()) {
            return rnn.forward(Variable.of(x), Lengths.of(Arrays.stream(lengths).mapToInt(Math::toIntExact).toArray()), state);
        }
    }

    static void assertMatches(Map<String, Tensor> ort, RecurrentOutput recur) {
        assertClose("output", ort.get("output"), recur.output().value());
        assertClose("h_n", ort.get("h_n"), recur.h().value());
        if (recur.c() != null) assertClose("c_n", ort.get("c_n"), recur.c().value());
        else assertThat(ort).doesNotContainKey("c_n");
    }

    /** ONNX Runtime writes exact zeros into output steps past each sequence's length, in both directions. */
    private static void assertZerosPastLengths(Tensor output, long[] lengths, boolean batchFirst) {
        for (int b = 0; b < B; b++) {
            for (int t = (int) lengths[b]; t < T; t++) {
                Tensor step = batchFirst ? output.select(b).select(t) : output.select(t).select(b);
                assertThat(step.toArray()).as("output at t=%d, b=%d", t, b).containsOnly(0f);
            }
        }
    }
}
