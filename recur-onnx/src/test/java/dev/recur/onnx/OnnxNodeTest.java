package dev.recur.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.io.ModelFormatException;
import dev.recur.nn.Lengths;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentOutput;
import dev.recur.nn.RecurrentState;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX's own backend node tests for LSTM, GRU and RNN (resources onnx-node/, ONNX 1.12.0): each model is imported
 * and run through Recur's forward on the test's inputs, and its outputs match the expected ones to
 * 1e-5 · max(1, |expected|). The tests feed W, R, B and P as graph inputs; as the ONNX backend harness allows,
 * their data-set values become initializers, and X, sequence_lens, initial_h and initial_c stay run-time inputs.
 */
class OnnxNodeTest {
    private static final Set<String> WEIGHTS = Set.of("W", "R", "B", "P");

    record NodeCase(ModelProto model, Map<String, Tensor> inputs, Map<String, Integer> intInputs, Map<String, Tensor> outputs) {}

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"test_lstm_defaults", "test_lstm_with_initial_bias", "test_lstm_batchwise", "test_gru_defaults",
            "test_gru_with_initial_bias", "test_gru_seq_length", "test_gru_batchwise", "test_rnn_seq_length",
            "test_simple_rnn_defaults", "test_simple_rnn_with_initial_bias", "test_simple_rnn_batchwise"})
    void importedModelGivesTheExpectedOutputs(String test) throws IOException {
        NodeCase c = load(test);
        NodeProto node = c.model().getGraph().getNode(0);
        Recurrent rnn = RecurrentImport.of(test, c.model()).recurrent();

        Tensor x = c.inputs().get(node.getInput(0));
        int t = rnn.config().batchFirst() ? x.shape()[1] : x.shape()[0], b = rnn.config().batchFirst() ? x.shape()[0] : x.shape()[1];
        int[] lengths = new int[b];
        Arrays.fill(lengths, t);
        Tensor h0 = input(c, node, 5), c0 = input(c, node, 6);
        RecurrentState state = h0 == null ? null : c0 == null ? RecurrentState.of(h0) : RecurrentState.of(h0, c0);
        RecurrentOutput out;
        try (var off = Tape.noGrad()) {
            out = rnn.forward(Variable.of(x), Lengths.of(lengths), state);
        }
        // Every node test has one direction and one layer, so Y [T, 1, B, H] (layout 1: [B, T, 1, H]) holds Recur's
        // output's values in order, and Y_h [1, B, H] ([B, 1, H]) those of h_n.
        Tensor[] results = {out.output().value(), out.h().value(), out.c() == null ? null : out.c().value()};
        int compared = 0;
        for (int i = 0; i < node.getOutputCount(); i++) {
            Tensor expected = c.outputs().get(node.getOutput(i));
            if (expected == null) continue;
            assertCloseFlat(test + " " + node.getOutput(i), expected, results[i]);
            compared++;
        }
        assertThat(compared).isPositive();
    }

    @Test
    void lstmWithPeepholesIsRefusedNamingTheNode() throws IOException {
        NodeCase c = load("test_lstm_with_peepholes");
        assertThatThrownBy(() -> RecurrentImport.of("test_lstm_with_peepholes", c.model()))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("test_lstm_with_peepholes: node #0 (LSTM): peepholes (input P) are not supported; Recur's LSTM has none"
                        + " (an all-zero P is accepted)");
    }

    @Test
    void lstmWithPeepholesAllZeroImportsAsAnLstmWithoutThem() throws IOException {
        NodeCase c = load("test_lstm_with_peepholes");
        var model = c.model().toBuilder();
        var graph = model.getGraphBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto p = graph.getInitializer(i);
            if (p.getName().equals("P")) graph.setInitializer(i, p.toBuilder().clearRawData().clearFloatData()
                    .addAllFloatData(java.util.Collections.nCopies(9, 0f)));
        }
        assertThat(RecurrentImport.of("zero P", model.build()).config().describe()).isEqualTo("Lstm(4 -> 3)");
    }

    private static Tensor input(NodeCase c, NodeProto node, int i) {
        return i < node.getInputCount() && !node.getInput(i).isEmpty() ? c.inputs().get(node.getInput(i)) : null;
    }

    /** The test's model with W, R, B and P as initializers, and its other inputs and expected outputs by name. */
    static NodeCase load(String test) throws IOException {
        String dir = "/onnx-node/" + test + "/";
        ModelProto model = ModelProto.parseFrom(bytes(dir + "model.onnx"));
        var graph = model.toBuilder();
        var g = graph.getGraphBuilder();
        var inputs = new HashMap<String, Tensor>();
        var ints = new HashMap<String, Integer>();
        for (int i = 0; i < model.getGraph().getInputCount(); i++) {
            String name = model.getGraph().getInput(i).getName();
            TensorProto t = TensorProto.parseFrom(bytes(dir + "test_data_set_0/input_" + i + ".pb")).toBuilder().setName(name).build();
            if (WEIGHTS.contains(name)) g.addInitializer(t);
            else if (t.getDataType() == OnnxGraph.FLOAT) inputs.put(name, tensor(name, t));
            else ints.put(name, i);
        }
        var outputs = new HashMap<String, Tensor>();
        for (int i = 0; i < model.getGraph().getOutputCount(); i++) {
            String name = model.getGraph().getOutput(i).getName();
            outputs.put(name, tensor(name, TensorProto.parseFrom(bytes(dir + "test_data_set_0/output_" + i + ".pb"))));
        }
        return new NodeCase(graph.build(), inputs, ints, outputs);
    }

    private static Tensor tensor(String name, TensorProto t) {
        var c = OnnxModelReader.tensor("test", name, t);
        return Tensor.of(c.floats(), Arrays.stream(c.dims()).mapToInt(Math::toIntExact).toArray());
    }

    private static byte[] bytes(String resource) throws IOException {
        try (InputStream in = OnnxNodeTest.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("no resource " + resource);
            return in.readAllBytes();
        }
    }

    /** Same number of values, each within 1e-5 · max(1, |expected|). */
    static void assertCloseFlat(String name, Tensor expected, Tensor actual) {
        assertThat(actual.size()).as(name + " size").isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.at(i), a = actual.at(i);
            if (!(Math.abs(a - e) <= Close.TOLERANCE * Math.max(1, Math.abs(e)))) fail("%s[%d]: expected %s, Recur %s", name, i, e, a);
        }
    }
}
