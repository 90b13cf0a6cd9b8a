package dev.recur.onnx;

import static dev.recur.onnx.OnnxGraph.FLOAT;
import static dev.recur.onnx.OnnxGraph.INT32;
import static dev.recur.onnx.OnnxGraph.INT64;
import static dev.recur.onnx.OnnxGraph.attr;
import static dev.recur.onnx.OnnxGraph.ints;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.recur.io.ModelFile;
import dev.recur.io.ModelFormatException;
import dev.recur.io.RecurrentModelFile;
import dev.recur.nn.CellType;
import dev.recur.nn.Nonlinearity;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A recurrent stack ({@link Recurrent}) as ONNX RNN, GRU or LSTM nodes, one per layer, each covering both directions
 * when the stack is bidirectional. The graph takes and gives what {@code recur encode} does:
 * <pre>
 * inputs   input [T, B, F] ([B, T, F] batch-first), lengths int64 [B], h0 [L·D, B, H], c0 [L·D, B, H] (LSTM)
 * outputs  output [T, B, D·H] ([B, T, D·H] batch-first), h_n [L·D, B, H], c_n [L·D, B, H] (LSTM)
 * </pre>
 * with T and B dynamic. Outputs past a sequence's length are zeros and h_n, c_n are each sequence's state after its
 * own last step, as in Recur. With {@link Inputs#INPUT} the graph takes {@code input} alone and runs full lengths
 * from zero state (ONNX's reading of absent optional inputs).
 * <p>
 * Weights are reordered from PyTorch's gate blocks to ONNX's: LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h with
 * {@code linear_before_reset=1}, which is PyTorch's form (the reset gate multiplies R_h h + Rb_h), or 0 for a
 * reset-before GRU ({@link RecurrentConfig#withResetBefore}: R_h (r ⊙ h) + Rb_h); B = [Wb; Rb],
 * absent (zeros, to ONNX) for a stack without bias. Nodes use layout 0 (time-major), since ONNX Runtime's CPU kernels refuse layout 1;
 * a batch-first stack gets a Transpose on either side. An LSTM with projection has no ONNX operator and is refused.
 * <pre>
 * ModelProto onnx = RecurrentExport.model(lstm, RecurrentExport.Inputs.ALL, 17);
 * Files.write(Path.of("lstm.onnx"), onnx.toByteArray());
 * </pre>
 */
public final class RecurrentExport {
    /** Which optional graph inputs to declare. */
    public enum Inputs {
        /** input, lengths, h0 and c0 (LSTM), as {@code recur encode} takes them. */
        ALL,
        /** input alone: full lengths and zero initial state. */
        INPUT
    }

    /** The names of a stack's results in a graph: output [T, B, D·H], h_n and c_n [L·D, B, H] (c_n null but for an LSTM). */
    record Outputs(String output, String hN, String cN) {}

    // ONNX gate block j comes from PyTorch block PERMUTATION[j].
    private static final int[] LSTM_BLOCKS = {0, 3, 1, 2};   // ONNX i,o,f,c from PyTorch i,f,g,o
    private static final int[] GRU_BLOCKS = {1, 0, 2};       // ONNX z,r,h from PyTorch r,z,n
    private static final int[] RNN_BLOCKS = {0};

    private RecurrentExport() {}

    /** The stack as a model named in messages by its description; metadata recur.config is its model-file configuration. */
    public static ModelProto model(Recurrent rnn, Inputs inputs, int opset) {
        return model(rnn.toString(), rnn, RecurrentModelFile.configJson(rnn.config()).toString(), inputs, opset);
    }

    /**
     * The stack as a model; {@code source} (a file name) starts error messages and {@code configJson} is stored as
     * metadata {@value ModelFile#CONFIG_KEY}.
     */
    public static ModelProto model(String source, Recurrent rnn, String configJson, Inputs inputs, int opset) {
        OnnxGraph.checkOpset(opset);
        RecurrentConfig c = rnn.config();
        requireExportable(source, c);
        int states = c.numLayers() * c.directions(), h = c.hiddenSize(), out = c.directions() * h;
        var g = new OnnxGraph(c.cell().name().toLowerCase());
        String input = c.batchFirst() ? g.input("input", FLOAT, "B", "T", c.inputSize()) : g.input("input", FLOAT, "T", "B", c.inputSize());
        String lengths = "", h0 = "", c0 = "";
        if (inputs == Inputs.ALL) {
            lengths = g.input("lengths", INT64, "B");
            h0 = g.input("h0", FLOAT, states, "B", h);
            if (c.cell() == CellType.LSTM) c0 = g.input("c0", FLOAT, states, "B", h);
        }
        String x = c.batchFirst() ? g.node("Transpose", List.of(input), "input_time_major", ints("perm", 1, 0, 2)) : input;
        Outputs r = emit(g, rnn, x, lengths, h0, c0, List.of(c.batchFirst() ? "output_time_major" : "output", "h_n", "c_n"));
        String output = c.batchFirst() ? g.node("Transpose", List.of(r.output()), "output", ints("perm", 1, 0, 2)) : r.output();
        if (c.batchFirst()) g.output(output, FLOAT, "B", "T", out);
        else g.output(output, FLOAT, "T", "B", out);
        g.output(r.hN(), FLOAT, states, "B", h);
        if (r.cN() != null) g.output(r.cN(), FLOAT, states, "B", h);
        return g.model(opset, Map.of(ModelFile.CONFIG_KEY, configJson));
    }

    /** Refuses what ONNX's operators cannot express: an LSTM with projection. */
    static void requireExportable(String source, RecurrentConfig c) {
        if (c.projSize() > 0) {
            throw new ModelFormatException(source, "an LSTM with projection (proj_size=" + c.projSize()
                    + ") has no ONNX operator; Recur cannot export it");
        }
    }

    /**
     * Adds the stack's nodes over time-major {@code x} [T, B, F]. {@code lengths} (int64 [B]), {@code h0} and
     * {@code c0} ([L·D, B, H]) may be "" for full lengths and zero state. {@code names} are the bases of the three
     * results' names (output, h_n, c_n).
     */
    static Outputs emit(OnnxGraph g, Recurrent rnn, String x, String lengths, String h0, String c0, List<String> names) {
        RecurrentConfig c = rnn.config();
        Map<String, Tensor> weights = rnn.stateDict();
        int d = c.directions(), layers = c.numLayers();
        String seqLens = lengths.isEmpty() ? "" : g.node("Cast", List.of(lengths), "sequence_lens", attr("to", INT32));
        var hs = new ArrayList<String>();
        var cs = new ArrayList<String>();
        String layerInput = x;
        for (int k = 0; k < layers; k++) {
            String l = "_l" + k;
            String w = g.initializer("W" + l, stacked(weights, c, "weight_ih" + l, c.layerInputSize(k)));
            String r = g.initializer("R" + l, stacked(weights, c, "weight_hh" + l, c.hiddenSize()));
            // A stack without bias omits B, which ONNX reads as zeros, so an import gives a stack without bias again.
            String b = c.bias() ? g.initializer("B" + l, biases(weights, c, l)) : "";
            String hk = layers == 1 ? h0 : slice(g, h0, k * d, (k + 1) * d, "h0" + l);
            String ck = layers == 1 ? c0 : slice(g, c0, k * d, (k + 1) * d, "c0" + l);
            boolean lstm = c.cell() == CellType.LSTM;
            var ins = new ArrayList<>(List.of(layerInput, w, r, b, seqLens, hk));
            if (lstm) ins.add(ck);
            var outs = new ArrayList<>(List.of("Y" + l, "Y_h" + l));
            if (lstm) outs.add("Y_c" + l);
            List<String> y = g.node(operator(c), ins, outs, attributes(c));
            hs.add(y.get(1));
            if (lstm) cs.add(y.get(2));
            // Y is [T, D, B, H]; the next layer and the caller want [T, B, D·H].
            String base = k == layers - 1 ? names.get(0) : "X_l" + (k + 1);
            layerInput = d == 1
                    ? g.node("Squeeze", List.of(y.get(0), g.initializer("squeeze_axes", 1)), base)
                    : g.node("Reshape", List.of(g.node("Transpose", List.of(y.get(0)), "Y_tbdh" + l, ints("perm", 0, 2, 1, 3)),
                            g.initializer("shape_t_b_dh", 0, 0, -1)), base);
        }
        return new Outputs(layerInput, concat(g, hs, names.get(1)), cs.isEmpty() ? null : concat(g, cs, names.get(2)));
    }

    private static String operator(RecurrentConfig c) {
        return switch (c.cell()) {
            case RNN -> "RNN";
            case LSTM -> "LSTM";
            case GRU -> "GRU";
        };
    }

    private static AttributeProto[] attributes(RecurrentConfig c) {
        var a = new ArrayList<>(List.of(attr("hidden_size", c.hiddenSize()),
                attr("direction", c.bidirectional() ? "bidirectional" : "forward"), attr("layout", 0)));
        // PyTorch's GRU (reset after R_h h + Rb_h) is linear_before_reset=1; Recur's reset-before GRU is ONNX's default 0.
        if (c.cell() == CellType.GRU) a.add(attr("linear_before_reset", c.resetAfter() ? 1 : 0));
        if (c.cell() == CellType.RNN) {
            String f = c.nonlinearity() == Nonlinearity.RELU ? "Relu" : "Tanh";
            a.add(OnnxGraph.strings("activations", Collections.nCopies(c.directions(), f)));
        }
        return a.toArray(AttributeProto[]::new);
    }

    /** W or R of one layer: [D, G·H, columns], the directions' PyTorch tensors with their gate blocks in ONNX order. */
    private static Tensor stacked(Map<String, Tensor> weights, RecurrentConfig c, String name, int columns) {
        int d = c.directions(), rows = c.cell().gates() * c.hiddenSize();
        Tensor all = Tensor.zeros(d, rows, columns);
        for (int dir = 0; dir < d; dir++) {
            Tensor t = weights.get(name + (dir == 1 ? "_reverse" : ""));
            reorder(c, t, all.data(), dir * rows * columns, columns);
        }
        return all;
    }

    /** B of one layer: [D, 2·G·H] = [Wb; Rb] per direction in ONNX gate order. */
    private static Tensor biases(Map<String, Tensor> weights, RecurrentConfig c, String layer) {
        int d = c.directions(), rows = c.cell().gates() * c.hiddenSize();
        Tensor all = Tensor.zeros(d, 2 * rows);
        for (int dir = 0; dir < d; dir++) {
            String suffix = layer + (dir == 1 ? "_reverse" : "");
            reorder(c, weights.get("bias_ih" + suffix), all.data(), dir * 2 * rows, 1);
            reorder(c, weights.get("bias_hh" + suffix), all.data(), dir * 2 * rows + rows, 1);
        }
        return all;
    }

    /** Copies {@code t} ([G·H, columns] or [G·H]) into {@code to} at {@code at}, its gate blocks in ONNX order. */
    private static void reorder(RecurrentConfig c, Tensor t, float[] to, int at, int columns) {
        int[] blocks = switch (c.cell()) {
            case RNN -> RNN_BLOCKS;
            case LSTM -> LSTM_BLOCKS;
            case GRU -> GRU_BLOCKS;
        };
        int block = c.hiddenSize() * columns;
        for (int j = 0; j < blocks.length; j++) {
            System.arraycopy(t.data(), t.offset() + blocks[j] * block, to, at + j * block, block);
        }
    }

    /** The layer's part of a stacked state, rows [from, to) of h0 or c0; "" stays "". */
    private static String slice(OnnxGraph g, String state, int from, int to, String name) {
        if (state.isEmpty()) return "";
        return g.node("Slice", List.of(state, g.initializer("starts", from), g.initializer("ends", to), g.initializer("axes", 0)), name);
    }

    /** The layers' final states stacked along axis 0: [L·D, B, H]. */
    private static String concat(OnnxGraph g, List<String> states, String name) {
        return states.size() == 1 ? g.node("Identity", states, name) : g.node("Concat", states, name, attr("axis", 0));
    }
}
