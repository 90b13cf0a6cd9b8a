package dev.recur.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.recur.io.ModelFormatException;
import dev.recur.nn.CellType;
import dev.recur.nn.Nonlinearity;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph of RNN, GRU or LSTM nodes as a Recur recurrent stack. The walk starts at the graph input and follows a
 * chain of recurrent nodes, one per layer, each forward or bidirectional, all of one cell type and hidden size, through
 * the glue {@code torch.onnx.export} writes ({@link Glue}: constant-folded when its inputs are constants, followed
 * symbolically when they are not: Transpose of the input for batch-first, Slice of h0 and c0 per layer, Squeeze or
 * Transpose + Reshape of Y between layers, zeros built from the input's Shape when there is no h0).
 * <p>
 * Weights become PyTorch's layout: ONNX gate blocks back to PyTorch's (LSTM i,o,f,c → i,f,g,o; GRU z,r,h → r,z,n),
 * B = [Wb; Rb] split into bias_ih and bias_hh. A GRU with {@code linear_before_reset=1} is PyTorch's (Recur's
 * default) GRU, with 0 the reset-before GRU ({@link RecurrentConfig#withResetBefore}); an RNN's activation is Tanh or
 * Relu; {@code layout=1} makes a batch-first stack. A layer without B gets zero biases when another has B; a stack
 * without any B has no bias. Anything else is refused with the node's name and operator, e.g.
 * {@code m.onnx: node 'Conv_3' (Conv): Recur imports RNN, GRU and LSTM stacks only}.
 * <pre>
 * Recurrent rnn = RecurrentImport.of("lstm.onnx", OnnxModelReader.read(Path.of("lstm.onnx"))).recurrent();
 * </pre>
 */
final class RecurrentImport {
    /** An imported stack: its configuration and its tensors under PyTorch's state_dict names. */
    record Imported(RecurrentConfig config, Map<String, Tensor> weights) {
        Recurrent recurrent() {
            Recurrent rnn = Recurrent.of(config, new Rng(0));
            rnn.loadStateDict(weights);
            rnn.train(false);
            return rnn;
        }
    }

    // PyTorch gate block p comes from ONNX block INVERSE[p].
    private static final int[] LSTM_INVERSE = {0, 2, 3, 1};   // PyTorch i,f,g,o from ONNX i,o,f,c
    private static final int[] GRU_INVERSE = {1, 0, 2};       // PyTorch r,z,n from ONNX z,r,h
    private static final Set<String> RECURRENT = Set.of("RNN", "GRU", "LSTM");

    /** What a value is to the walk. */
    private sealed interface Value {}

    /** A constant, folded. */
    private record Known(Glue.Const c) implements Value {}

    /** Integers computed from a runtime value's shape (Shape, Gather, Concat ...). */
    private record Dynamic() implements Value {}

    /** A float tensor of zeros whose shape is known only at run time. */
    private record Zeros() implements Value {}

    /** A graph input, its axes permuted ({@code perm}) and its rows [from, to) on axis 0 taken ({@code to} −1: all). */
    private record Input(String name, int[] perm, long from, long to) implements Value {}

    /** A sequence after {@code layer} recurrent layers, its axes labelled t, b, f (features), d{D} (directions), h. */
    private record Sequence(int layer, List<String> axes) implements Value {}

    /** A result the stack does not read on (final states, anything the walk does not follow). */
    private record Result() implements Value {}

    private final String source;
    private final ModelProto model;
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, Tensor> weights = new LinkedHashMap<>();
    private final List<Boolean> layerBias = new ArrayList<>();
    private String op, time, batch, hState, cState, lengths, firstNode;
    private int hidden, directions, inputSize, layers;
    private long linearBeforeReset = -1;
    private Nonlinearity nonlinearity = Nonlinearity.TANH;
    private boolean batchFirst, wholeState;

    private RecurrentImport(String source, ModelProto model) {
        this.source = source;
        this.model = model;
    }

    /** The stack {@code model} holds (validated by {@link OnnxModelReader}); {@code source} starts every message. */
    static Imported of(String source, ModelProto model) {
        return new RecurrentImport(source, model).walk();
    }

    private Imported walk() {
        GraphProto g = model.getGraph();
        for (TensorProto t : g.getInitializerList()) {
            values.put(t.getName(), new Known(OnnxModelReader.tensor(source, "initializer '" + OnnxModelReader.shorten(t.getName()) + "'", t)));
        }
        for (var in : g.getInputList()) values.putIfAbsent(in.getName(), new Input(in.getName(), new int[] {0, 1, 2}, 0, -1));
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto node = g.getNode(i);
            if (RECURRENT.contains(node.getOpType())) layer(node, i);
            else if (Glue.OPERATORS.contains(node.getOpType())) glue(node, i);
            else throw error(node, i, "Recur imports RNN, GRU and LSTM stacks only");
        }
        if (layers == 0) throw new ModelFormatException(source, "the graph has no RNN, GRU or LSTM node; Recur imports recurrent stacks only");
        if (wholeState && layers > 1) {
            throw new ModelFormatException(source, "every layer reads the whole initial state; expected each layer to take its own rows of h0 (and c0)");
        }
        CellType cell = CellType.valueOf(op);
        boolean anyBias = layerBias.contains(true);
        var config = RecurrentConfig.of(cell, inputSize, hidden).withLayers(layers).withDirections(directions).withBias(anyBias);
        if (cell == CellType.RNN) config = config.withNonlinearity(nonlinearity);
        if (cell == CellType.GRU && linearBeforeReset == 0) config = config.withResetBefore();
        if (batchFirst) config = config.withBatchFirst();
        if (!anyBias) weights.keySet().removeIf(n -> n.startsWith("bias_"));
        return new Imported(config, weights);
    }

    private ModelFormatException error(NodeProto node, int index, String detail) {
        return new ModelFormatException(source, Glue.where(node, index) + ": " + detail);
    }

    /** The value named {@code name}, null for "" (an absent optional input); an undefined name is refused. */
    private Value value(NodeProto node, int index, String name) {
        if (name.isEmpty()) return null;
        Value v = values.get(name);
        if (v == null) throw error(node, index, "input '" + OnnxModelReader.shorten(name) + "' is not defined before this node");
        return v;
    }

    private void glue(NodeProto node, int index) {
        var in = new ArrayList<Value>();
        for (String name : node.getInputList()) in.add(value(node, index, name));
        if (node.getOutputCount() != 1) throw error(node, index, "expected one output, found " + node.getOutputCount());
        values.put(node.getOutput(0), follow(node, index, in));
    }

    private Value follow(NodeProto node, int index, List<Value> in) {
        String type = node.getOpType();
        if (in.stream().allMatch(v -> v == null || v instanceof Known)) {
            var consts = in.stream().map(v -> v == null ? null : ((Known) v).c()).toList();
            if (!type.equals("Constant") && (consts.isEmpty() || consts.get(0) == null)) throw error(node, index, "input 0 is missing");
            return new Known(Glue.fold(source, node, index, consts));
        }
        Value x = in.get(0);
        Glue glue = Glue.at(source, node, index);
        if (type.equals("Shape")) return new Dynamic();
        if (type.equals("ConstantOfShape")) {
            AttributeProto value = glue.attribute("value");
            if (value != null && !OnnxModelReader.tensor(source, Glue.where(node, index) + " value", value.getT()).allZero()) return new Result();
            return new Zeros();
        }
        if (type.equals("Expand")) return isZero(x) ? new Zeros() : new Result();
        if (in.stream().anyMatch(v -> v instanceof Zeros) && in.stream().allMatch(v -> v == null || v instanceof Known || v instanceof Dynamic || isZero(v))) {
            return new Zeros();
        }
        if (in.stream().anyMatch(v -> v instanceof Dynamic) && in.stream().allMatch(v -> v == null || v instanceof Known || v instanceof Dynamic)) {
            return new Dynamic();
        }
        if (type.equals("Identity") || (type.equals("Cast") && !(x instanceof Known))) return x;
        if (type.equals("Transpose")) return transpose(glue, node, x);
        if (x instanceof Input input && type.equals("Slice")) return slice(glue, input, in);
        if (x instanceof Sequence s && type.equals("Squeeze")) return squeeze(glue, s, in);
        if (x instanceof Sequence s && type.equals("Reshape") && in.size() > 1 && in.get(1) instanceof Known shape) return reshape(s, shape.c());
        return new Result();
    }

    private static boolean isZero(Value v) {
        return v instanceof Zeros || (v instanceof Known k && k.c().type() == OnnxGraph.FLOAT && k.c().allZero());
    }

    private Value transpose(Glue glue, NodeProto node, Value x) {
        AttributeProto perm = glue.attribute("perm");
        if (x instanceof Input input && input.to() < 0 && perm != null && perm.getIntsCount() == 3) {
            int[] p = new int[3];
            for (int i = 0; i < 3; i++) p[i] = input.perm()[glue.checkAxis(perm.getInts(i), 3)];
            return new Input(input.name(), p, 0, -1);
        }
        if (x instanceof Sequence s && perm != null && perm.getIntsCount() == s.axes().size()) {
            var axes = new ArrayList<String>();
            for (long a : perm.getIntsList()) axes.add(s.axes().get(glue.checkAxis(a, s.axes().size())));
            return new Sequence(s.layer(), axes);
        }
        return new Result();
    }

    /** Rows [from, to) on axis 0 of h0 or c0: a layer's part of the stacked state. */
    private Value slice(Glue glue, Input x, List<Value> in) {
        long[] starts, ends, axes = {0}, steps = {1};
        if (glue.attribute("starts") != null) {
            starts = glue.attribute("starts").getIntsList().stream().mapToLong(Long::longValue).toArray();
            ends = glue.attribute("ends").getIntsList().stream().mapToLong(Long::longValue).toArray();
            if (glue.attribute("axes") != null) axes = glue.attribute("axes").getIntsList().stream().mapToLong(Long::longValue).toArray();
        } else {
            if (!(in.size() > 2 && in.get(1) instanceof Known s && in.get(2) instanceof Known e)) return new Result();
            starts = s.c().longs();
            ends = e.c().longs();
            if (in.size() > 3 && in.get(3) != null) {
                if (!(in.get(3) instanceof Known a)) return new Result();
                axes = a.c().longs();
            }
            if (in.size() > 4 && in.get(4) != null) {
                if (!(in.get(4) instanceof Known st)) return new Result();
                steps = st.c().longs();
            }
        }
        if (starts.length != 1 || ends.length != 1 || axes.length != 1 || axes[0] != 0 || steps[0] != 1 || x.to() >= 0
                || !Arrays.equals(x.perm(), new int[] {0, 1, 2}) || starts[0] < 0 || ends[0] < starts[0]) return new Result();
        return new Input(x.name(), x.perm(), starts[0], ends[0]);
    }

    /** Y [T, 1, B, H] (layout 0) or [B, T, 1, H] (layout 1) without its direction axis. */
    private Value squeeze(Glue glue, Sequence s, List<Value> in) {
        AttributeProto attr = glue.attribute("axes");
        long[] axes = attr != null ? attr.getIntsList().stream().mapToLong(Long::longValue).toArray()
                : in.size() > 1 && in.get(1) instanceof Known k ? k.c().longs() : null;
        if (axes == null || axes.length != 1) return new Result();
        int a = glue.checkAxis(axes[0], s.axes().size());
        if (!s.axes().get(a).equals("d1")) return new Result();
        var out = new ArrayList<>(s.axes());
        out.remove(a);
        if (out.get(out.size() - 1).equals("h")) out.set(out.size() - 1, "f");
        return new Sequence(s.layer(), out);
    }

    /** [T, B, D, H] (or [B, T, D, H]) to [T, B, D·H]: shape [0, 0, −1] or with D·H written out. */
    private Value reshape(Sequence s, Glue.Const shape) {
        long[] dims = shape.longs();
        var axes = s.axes();
        if (axes.size() != 4 || !axes.get(2).startsWith("d") || !axes.get(3).equals("h") || dims.length != 3
                || dims[0] != 0 || dims[1] != 0 || !(dims[2] == -1 || dims[2] == (long) directions * hidden)) return new Result();
        return new Sequence(s.layer(), List.of(axes.get(0), axes.get(1), "f"));
    }

    private void layer(NodeProto node, int index) {
        String type = node.getOpType();
        int k = layers;
        var in = new ArrayList<Value>();
        for (String name : node.getInputList()) in.add(value(node, index, name));
        while (in.size() < 8) in.add(null);
        Glue glue = Glue.at(source, node, index);
        long layout = checkAttributes(glue, node, index);
        if (op != null && !op.equals(type)) {
            throw error(node, index, "the stack's first node " + firstNode + " is " + op + "; Recur imports one cell type per stack");
        }
        if (op == null) firstNode = Glue.where(node, index);
        op = type;
        int gates = CellType.valueOf(type).gates();
        String dirName = stringAttribute(glue, "direction", "forward");
        int d = switch (dirName) {
            case "forward" -> 1;
            case "bidirectional" -> 2;
            case "reverse" -> throw error(node, index, "direction reverse is not supported alone; Recur imports forward and bidirectional layers");
            default -> throw error(node, index, "direction " + OnnxModelReader.shorten(dirName) + " is not an ONNX direction");
        };
        Glue.Const w = weight(node, index, in.get(1), "W", true), r = weight(node, index, in.get(2), "R", true);
        Glue.Const b = weight(node, index, in.get(3), "B", false);
        AttributeProto hs = glue.attribute("hidden_size");
        long hidden = hs != null ? hs.getI() : r.rank() == 3 ? r.dims()[2] : -1;
        if (hidden <= 0 || hidden > Integer.MAX_VALUE / 8) throw error(node, index, "hidden_size is " + hidden + "; expected a positive integer");
        int h = (int) hidden;
        String forH = "for hidden_size=" + h + " and direction " + dirName;
        if (w.rank() != 3 || w.dims()[0] != d || w.dims()[1] != (long) gates * h || w.dims()[2] <= 0) {
            throw error(node, index, "W has dims " + Arrays.toString(w.dims()) + "; expected [" + d + ", " + gates * h + ", input_size] " + forH);
        }
        if (!Arrays.equals(r.dims(), new long[] {d, (long) gates * h, h})) {
            throw error(node, index, "R has dims " + Arrays.toString(r.dims()) + "; expected [" + d + ", " + gates * h + ", " + h + "] " + forH);
        }
        if (b != null && !Arrays.equals(b.dims(), new long[] {d, 2L * gates * h})) {
            throw error(node, index, "B has dims " + Arrays.toString(b.dims()) + "; expected [" + d + ", " + 2 * gates * h + "] " + forH);
        }
        if (type.equals("LSTM") && in.get(7) != null) {
            Glue.Const p = weight(node, index, in.get(7), "P", false);
            if (!Arrays.equals(p.dims(), new long[] {d, 3L * h})) {
                throw error(node, index, "P has dims " + Arrays.toString(p.dims()) + "; expected [" + d + ", " + 3 * h + "] " + forH);
            }
            if (!p.allZero()) throw error(node, index, "peepholes (input P) are not supported; Recur's LSTM has none (an all-zero P is accepted)");
        }
        if (k > 0 && (h != this.hidden || d != directions)) {
            throw error(node, index, "hidden_size " + h + " and direction " + dirName + " differ from the first node " + firstNode
                    + "'s; Recur's layers share them");
        }
        this.hidden = h;
        directions = d;
        if (k > 0 && w.dims()[2] != (long) d * h) {
            throw error(node, index, "W has dims " + Arrays.toString(w.dims()) + "; expected input_size " + d * h + ", the previous layer's output");
        }
        input(node, index, in.get(0), k, layout);
        if (k == 0) inputSize = (int) w.dims()[2];
        lengths = sequenceLengths(node, index, in.get(4), lengths);
        hState = state(node, index, in.get(5), "initial_h", hState, k, layout);
        if (type.equals("LSTM")) cState = state(node, index, in.get(6), "initial_c", cState, k, layout);
        for (int dir = 0; dir < d; dir++) store(type, k, dir, w, r, b, h);
        layerBias.add(b != null);
        layers++;
        // Y: [T, D, B, H] (layout 0) or [B, T, D, H] (layout 1); Y_h and Y_c are results the stack does not read on.
        if (node.getOutputCount() > 0 && !node.getOutput(0).isEmpty()) {
            values.put(node.getOutput(0), new Sequence(layers, layout == 0 ? List.of(time, "d" + d, batch, "h") : List.of(batch, time, "d" + d, "h")));
        }
        for (int i = 1; i < node.getOutputCount(); i++) if (!node.getOutput(i).isEmpty()) values.put(node.getOutput(i), new Result());
    }

    /** Refuses what Recur's cells do not compute; returns layout. */
    private long checkAttributes(Glue glue, NodeProto node, int index) {
        String type = node.getOpType();
        int d = "bidirectional".equals(stringAttribute(glue, "direction", "forward")) ? 2 : 1;
        for (AttributeProto a : node.getAttributeList()) {
            switch (a.getName()) {
                case "hidden_size", "direction" -> { }
                case "layout" -> {
                    if (a.getI() != 0 && a.getI() != 1) throw error(node, index, "layout " + a.getI() + " is not 0 or 1");
                }
                case "clip" -> throw error(node, index, "attribute clip is not supported; Recur's cells do not clip their pre-activations");
                case "input_forget" -> {
                    if (!type.equals("LSTM")) throw error(node, index, "attribute input_forget is not an attribute of " + type);
                    if (a.getI() != 0) throw error(node, index, "input_forget=1 is not supported; Recur's LSTM has separate input and forget gates");
                }
                case "linear_before_reset" -> {
                    if (!type.equals("GRU")) throw error(node, index, "attribute linear_before_reset is not an attribute of " + type);
                    if (a.getI() != 0 && a.getI() != 1) throw error(node, index, "linear_before_reset " + a.getI() + " is not 0 or 1");
                }
                case "activation_alpha", "activation_beta" -> {
                    if (a.getFloatsCount() > 0) throw error(node, index, "attribute " + a.getName() + " is not supported; Recur's activations take no parameters");
                }
                case "activations" -> activations(node, index, a, d);
                default -> throw error(node, index, "attribute " + OnnxModelReader.shorten(a.getName()) + " is not supported");
            }
        }
        if (type.equals("GRU")) {
            AttributeProto lbr = glue.attribute("linear_before_reset");
            long v = lbr == null ? 0 : lbr.getI();
            if (linearBeforeReset >= 0 && v != linearBeforeReset) {
                throw error(node, index, "linear_before_reset=" + v + " differs from the first node " + firstNode + "'s; Recur's layers share one GRU form");
            }
            linearBeforeReset = v;
        }
        AttributeProto layout = glue.attribute("layout");
        return layout == null ? 0 : layout.getI();
    }

    /** ONNX's defaults (LSTM Sigmoid, Tanh, Tanh; GRU Sigmoid, Tanh; RNN Tanh) per direction, or Relu for an RNN. */
    private void activations(NodeProto node, int index, AttributeProto a, int d) {
        var given = a.getStringsList().stream().map(OnnxModelReader::utf8).toList();
        List<String> one = switch (node.getOpType()) {
            case "LSTM" -> List.of("sigmoid", "tanh", "tanh");
            case "GRU" -> List.of("sigmoid", "tanh");
            default -> List.of(given.isEmpty() ? "tanh" : given.get(0).toLowerCase(Locale.ROOT));
        };
        var lower = given.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        boolean ok = lower.equals(one) || lower.equals(repeat(one, d));
        if (node.getOpType().equals("RNN")) ok &= one.get(0).equals("tanh") || one.get(0).equals("relu");
        if (!ok) {
            String expected = node.getOpType().equals("RNN") ? "[Tanh] or [Relu] per direction" : "ONNX's defaults " + names(node.getOpType()) + " per direction";
            throw error(node, index, "activations " + given.stream().map(OnnxModelReader::shorten).toList() + " are not supported; Recur's "
                    + node.getOpType() + " uses " + expected);
        }
        if (node.getOpType().equals("RNN")) {
            Nonlinearity n = one.get(0).equals("relu") ? Nonlinearity.RELU : Nonlinearity.TANH;
            if (layers > 0 && n != nonlinearity) throw error(node, index, "activation " + n + " differs from the first node " + firstNode + "'s");
            nonlinearity = n;
        }
    }

    private static String names(String op) {
        return op.equals("LSTM") ? "[Sigmoid, Tanh, Tanh]" : "[Sigmoid, Tanh]";
    }

    private static List<String> repeat(List<String> one, int d) {
        var all = new ArrayList<String>();
        for (int i = 0; i < d; i++) all.addAll(one);
        return all;
    }

    private static String stringAttribute(Glue glue, String name, String fallback) {
        AttributeProto a = glue.attribute(name);
        return a == null ? fallback : OnnxModelReader.utf8(a.getS());
    }

    private Glue.Const weight(NodeProto node, int index, Value v, String name, boolean required) {
        if (v == null) {
            if (required) throw error(node, index, "input " + name + " is missing");
            return null;
        }
        if (!(v instanceof Known k)) {
            throw error(node, index, "input " + name + " is not a constant (an initializer or folded glue); Recur imports weights stored in the model");
        }
        if (k.c().type() != OnnxGraph.FLOAT) {
            throw error(node, index, "input " + name + " has data type " + OnnxModelReader.typeName(k.c().type()) + "; Recur imports float32 weights only");
        }
        return k.c();
    }

    /** X: the graph input (layer 0), time-major or batch-first, or the previous layer's output. */
    private void input(NodeProto node, int index, Value x, int k, long layout) {
        if (k == 0) {
            if (!(x instanceof Input in) || in.to() >= 0 || in.perm()[2] != 2) {
                throw error(node, index, "input X is not the graph's input (or its Transpose to time-major); Recur imports a stack that reads the graph input");
            }
            String a0 = String.valueOf(in.perm()[0]), a1 = String.valueOf(in.perm()[1]);
            time = layout == 0 ? a0 : a1;
            batch = layout == 0 ? a1 : a0;
            batchFirst = time.equals("1");
            values.put(node.getInput(0), new Result());   // the stack's input cannot also be its initial state
            return;
        }
        List<String> expected = layout == 0 ? List.of(time, batch, "f") : List.of(batch, time, "f");
        if (!(x instanceof Sequence s) || s.layer() != k || !s.axes().equals(expected)) {
            throw error(node, index, "input X is not the previous recurrent layer's output; Recur imports a chain of RNN, GRU or LSTM nodes");
        }
    }

    private String sequenceLengths(NodeProto node, int index, Value v, String seen) {
        String name = v instanceof Input in && in.to() < 0 ? in.name() : null;
        if (v != null && name == null) throw error(node, index, "sequence_lens is not a graph input; Recur takes lengths at run time");
        if (layers > 0 && !java.util.Objects.equals(name, seen)) {
            throw error(node, index, "sequence_lens differs from the first node " + firstNode + "'s; Recur's layers share the lengths");
        }
        return name;
    }

    /** initial_h or initial_c: absent or zeros, else rows [k·D, (k+1)·D) of one graph input (all of it for one layer). */
    private String state(NodeProto node, int index, Value v, String what, String seen, int k, long layout) {
        String name = null;
        if (v != null && !isZero(v)) {
            if (!(v instanceof Input in) || !Arrays.equals(in.perm(), new int[] {0, 1, 2})) {
                throw error(node, index, what + " is neither zeros nor a graph input (or a slice of one); Recur's initial state is [L·D, B, H]");
            }
            if (layout != 0) throw error(node, index, what + " with layout=1 is [B, D, H]; Recur's initial state is [L·D, B, H], so it is not supported");
            if (in.to() < 0) wholeState = true;
            else if (in.from() != (long) k * directions || in.to() != (long) (k + 1) * directions) {
                throw error(node, index, what + " takes rows " + in.from() + ".." + in.to() + " of " + in.name() + "; expected "
                        + k * directions + ".." + (k + 1) * directions + " for layer " + k);
            }
            name = in.name();
        }
        if (layers > 0 && !java.util.Objects.equals(name, seen)) {
            throw error(node, index, what + " differs from the first node " + firstNode + "'s (one layer starts from zeros, another from a graph input)");
        }
        return name;
    }

    /** One direction of one layer in PyTorch's names and gate order. */
    private void store(String type, int k, int dir, Glue.Const w, Glue.Const r, Glue.Const b, int h) {
        int[] inverse = switch (type) {
            case "LSTM" -> LSTM_INVERSE;
            case "GRU" -> GRU_INVERSE;
            default -> new int[] {0};
        };
        int rows = inverse.length * h, f = (int) w.dims()[2];
        String suffix = "_l" + k + (dir == 1 ? "_reverse" : "");
        weights.put("weight_ih" + suffix, Tensor.of(blocks(w.values(), dir * rows * f, inverse, h, f), rows, f));
        weights.put("weight_hh" + suffix, Tensor.of(blocks(r.values(), dir * rows * h, inverse, h, h), rows, h));
        double[] bias = b == null ? new double[2 * (dir + 1) * rows] : b.values();
        weights.put("bias_ih" + suffix, Tensor.of(blocks(bias, dir * 2 * rows, inverse, h, 1), rows));
        weights.put("bias_hh" + suffix, Tensor.of(blocks(bias, dir * 2 * rows + rows, inverse, h, 1), rows));
    }

    /** Gate blocks of {@code h · columns} values from {@code at}, PyTorch block p taken from ONNX block inverse[p]. */
    private static float[] blocks(double[] from, int at, int[] inverse, int h, int columns) {
        int block = h * columns;
        float[] out = new float[inverse.length * block];
        for (int p = 0; p < inverse.length; p++) {
            for (int i = 0; i < block; i++) out[p * block + i] = (float) from[at + inverse[p] * block + i];
        }
        return out;
    }
}
