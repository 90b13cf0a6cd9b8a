package dev.recur.onnx;

import static dev.recur.onnx.OnnxGraph.FLOAT;
import static dev.recur.onnx.OnnxGraph.attr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.recur.io.ModelFormatException;

import dev.recur.nn.Nonlinearity;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Export then import: the same configuration and bit-identical tensors, for every cell and stack shape. */
class RecurrentImportTest {
    record Case(RecurrentConfig config, Inputs inputs, int opset) {
        @Override
        public String toString() {
            return config.describe() + ", inputs " + inputs + ", opset " + opset;
        }
    }

    static Stream<Case> stacks() {
        var cases = new ArrayList<Case>();
        var cells = new RecurrentConfig[] {RecurrentConfig.rnn(3, 4), RecurrentConfig.rnn(3, 4).withNonlinearity(Nonlinearity.RELU),
                RecurrentConfig.lstm(3, 4), RecurrentConfig.gru(3, 4), RecurrentConfig.gru(3, 4).withResetBefore()};
        int i = 0;
        for (RecurrentConfig cell : cells)
            for (int layers = 1; layers <= 3; layers += 2)
                for (int d = 1; d <= 2; d++)
                    for (boolean bias : new boolean[] {true, false}) {
                        var c = cell.withLayers(layers).withDirections(d).withBias(bias);
                        i++;
                        cases.add(new Case(i % 2 == 0 ? c.withBatchFirst() : c, i % 3 == 0 ? Inputs.INPUT : Inputs.ALL, i % 4 == 0 ? 14 : 17));
                    }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void exportThenImportGivesTheSameConfigAndTensors(Case c) {
        Recurrent rnn = Recurrent.of(c.config(), new Rng(c.toString().hashCode()));

        RecurrentImport.Imported back = RecurrentImport.of("round trip", RecurrentExport.model(rnn, c.inputs(), c.opset()));

        assertThat(back.config()).isEqualTo(c.config());
        Map<String, Tensor> expected = rnn.stateDict();
        assertThat(back.weights().keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, t) -> {
            assertThat(back.weights().get(name).shape()).as(name).containsExactly(t.shape());
            assertThat(back.weights().get(name).toArray()).as(name).containsExactly(t.toArray());
        });
        assertThat(back.recurrent().config()).isEqualTo(c.config());
    }

    @Test
    void aLayerWithoutBGetsZeroBiasesWhenAnotherHasB() {
        Recurrent lstm = Recurrent.of(RecurrentConfig.lstm(3, 4).withLayers(2), new Rng(1));
        var m = RecurrentExport.model(lstm, Inputs.ALL, 17).toBuilder();
        var g = m.getGraphBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().equals("LSTM") && g.getNode(i).getInput(0).startsWith("X_l1")) g.setNode(i, g.getNode(i).toBuilder().setInput(3, ""));
        }
        RecurrentImport.Imported back = RecurrentImport.of("mixed", m.build());
        assertThat(back.config().bias()).isTrue();
        assertThat(back.weights().get("bias_ih_l1").toArray()).containsOnly(0f);
        assertThat(back.weights().get("bias_hh_l1").toArray()).containsOnly(0f);
        assertThat(back.weights().get("bias_ih_l0").toArray()).containsExactly(lstm.stateDict().get("bias_ih_l0").toArray());
    }

    @Test
    void weightsFedAsGraphInputsAreRefused() {
        var m = exported().toBuilder();
        var g = m.getGraphBuilder();
        TensorProto w = g.getInitializer(0);
        g.removeInitializer(0).addInput(ValueInfoProto.newBuilder().setName(w.getName()));
        assertRefused(m.build(), "node 'GRU_1' (GRU): input W is not a constant (an initializer or folded glue); Recur imports weights stored in the model");
    }

    @Test
    void externalDataIsRefused() {
        var m = exported().toBuilder();
        m.getGraphBuilder().setInitializer(0, m.getGraphBuilder().getInitializer(0).toBuilder().setDataLocation(TensorProto.DataLocation.EXTERNAL));
        assertRefused(m.build(), "initializer 'W_l0' is stored as external data; Recur imports self-contained ONNX files only");
    }

    @Test
    void float64WeightsAreRefused() {
        var m = exported().toBuilder();
        m.getGraphBuilder().setInitializer(0, m.getGraphBuilder().getInitializer(0).toBuilder().setDataType(TensorProto.DataType.DOUBLE_VALUE));
        assertRefused(m.build(), "initializer 'W_l0' has data type DOUBLE; Recur imports float32 weights (and int32/int64 shapes and indices) only");
    }

    @Test
    void anotherOperatorDomainIsRefused() {
        ModelProto m = exported().toBuilder().addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1)).build();
        assertThatThrownBy(() -> OnnxModelReader.parse("m.onnx", m.toByteArray())).isInstanceOf(ModelFormatException.class)
                .hasMessage("m.onnx: operator domain 'com.microsoft' is not supported; Recur imports the default ONNX domain only");
    }

    @Test
    void anInitialStateOnALayoutOneNodeIsRefused() {
        var g = new OnnxGraph("rnn");
        var rng = new Rng(3);
        String x = g.input("X", FLOAT, "B", "T", 3), h = g.input("H0", FLOAT, "B", 1, 4);
        g.output(g.node("RNN", List.of(x, g.initializer("W", Tensor.randn(rng, 1, 4, 3)), g.initializer("R", Tensor.randn(rng, 1, 4, 4)), "", "", h),
                List.of("Y", "Y_h"), attr("hidden_size", 4), attr("layout", 1)).get(1), FLOAT, "B", 1, 4);
        assertRefused(g.model(17, Map.of()), "node 'RNN_0' (RNN): initial_h with layout=1 is [B, D, H]; Recur's initial state is [L·D, B, H], so it is not supported");
    }

    @Test
    void aNodeWithoutHiddenSizeTakesItFromR() {
        var g = new OnnxGraph("gru");
        var rng = new Rng(3);
        String x = g.input("X", FLOAT, "T", "B", 3);
        g.output(g.node("GRU", List.of(x, g.initializer("W", Tensor.randn(rng, 1, 15, 3)), g.initializer("R", Tensor.randn(rng, 1, 15, 5))),
                List.of("Y", "Y_h")).get(1), FLOAT, 1, "B", 5);
        assertThat(RecurrentImport.of("m", g.model(17, Map.of())).config()).isEqualTo(RecurrentConfig.gru(3, 5).withBias(false).withResetBefore());
    }

    private static ModelProto exported() {
        return RecurrentExport.model(Recurrent.of(RecurrentConfig.gru(3, 4), new Rng(1)), Inputs.ALL, 17);
    }

    private static void assertRefused(ModelProto model, String message) {
        assertThatThrownBy(() -> RecurrentImport.of("m.onnx", model)).isInstanceOf(ModelFormatException.class).hasMessage("m.onnx: " + message);
    }
}
