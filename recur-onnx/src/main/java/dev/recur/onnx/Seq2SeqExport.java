package dev.recur.onnx;

import static dev.recur.onnx.OnnxGraph.FLOAT;
import static dev.recur.onnx.OnnxGraph.INT64;
import static dev.recur.onnx.OnnxGraph.attr;
import static dev.recur.onnx.OnnxGraph.ints;
import static dev.recur.onnx.TaskExport.linear;
import static dev.recur.onnx.TaskExport.minusInfinity;
import static dev.recur.onnx.TaskExport.scalar;
import static dev.recur.onnx.TaskExport.stack;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.recur.io.ModelFile;
import dev.recur.nn.Attention;
import dev.recur.nn.CellType;
import dev.recur.nn.RecurrentConfig;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.task.seq2seq.Seq2Seq;
import dev.recur.task.seq2seq.Seq2SeqConfig;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sequence-to-sequence model ({@link Seq2Seq}) as two ONNX graphs, an encoder run once per batch and a decoder
 * run once per output symbol, as OpenNMT's and Marian's exports split them. S, B and N dynamic; M = 2·He is the
 * memory's size, K the keys' (the decoder's hidden size Hd for additive and general attention, M for dot):
 * <pre>
 * encoder  source int64 [S, B], lengths int64 [B]
 *          → memory [S, B, M] (zeros past each length), keys [S, B, K], h0 [Ld, B, Hd], c0 [Ld, B, Hd] (lstm)
 * decoder  previous int64 [N], h [Ld, N, Hd], c [Ld, N, Hd] (lstm), feed [N, Hd], memory [S, N, M],
 *          keys [S, N, K], lengths int64 [N]
 *          → logits [N, V], h_n [Ld, N, Hd], c_n [Ld, N, Hd] (lstm), attentional [N, Hd], attention [S, N]
 * </pre>
 * The encoder computes the attention's keys once ({@code W_m m}; the memory itself for dot attention, so every form
 * has the same inputs) and the bridge's initial state {@code tanh(W_l [h→ ; h←] + b_l)} from the top encoder
 * layer's final states. A decoder step embeds {@code previous} (at the first step {@code <s>}, id 1), joins the
 * previous attentional state {@code feed} (zeros at the first step: input feeding), runs the stacked decoder one
 * step, attends over each source's valid steps (padding is −∞ before the softmax, so {@code attention} is 0 there),
 * and gives {@code attentional} = tanh(W_c [context ; h_t] + b_c), the next step's {@code feed}, and the
 * generator's {@code logits} (unnormalised; a softmax or log-softmax over V gives what Recur's search ranks).
 * Greedy decoding and beam search stay with the caller, who feeds back {@code h_n}, {@code c_n} and
 * {@code attentional} (reordered by beam) until {@code </s>} (id 2). Dropout is left out (inference).
 * <pre>
 * Seq2SeqExport.Graphs g = Seq2SeqExport.graphs(model, model.configJson().toString(), RecurrentExport.Inputs.ALL, 17);
 * OnnxExport.write(Seq2SeqExport.encoderFile(Path.of("g2p.onnx")), g.encoder());   // g2p.encoder.onnx
 * OnnxExport.write(Seq2SeqExport.decoderFile(Path.of("g2p.onnx")), g.decoder());   // g2p.decoder.onnx
 * </pre>
 */
public final class Seq2SeqExport {
    /** The two graphs of one model. */
    public record Graphs(ModelProto encoder, ModelProto decoder) {}

    private Seq2SeqExport() {}

    /** Both graphs; {@code configJson}, with the vocabularies, goes into each one's metadata. */
    public static Graphs graphs(Seq2Seq model, String configJson, Inputs inputs, int opset) {
        OnnxGraph.checkOpset(opset);
        InvalidOptionException.check(inputs == Inputs.ALL, "--inputs input applies to recurrent stacks and language models;"
                + " a sequence-to-sequence model's graphs need lengths (for an unpadded batch, S for every source)");
        Map<String, String> metadata = Map.of(ModelFile.CONFIG_KEY, configJson);
        return new Graphs(encoder(model).model(opset, metadata), decoder(model).model(opset, metadata));
    }

    /** {@code out} with {@code .onnx} (if present) replaced by {@code .encoder.onnx}: g2p.onnx → g2p.encoder.onnx. */
    public static Path encoderFile(Path out) {
        return sibling(out, "encoder");
    }

    /** {@code out} with {@code .onnx} (if present) replaced by {@code .decoder.onnx}: g2p.onnx → g2p.decoder.onnx. */
    public static Path decoderFile(Path out) {
        return sibling(out, "decoder");
    }

    private static Path sibling(Path out, String part) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".onnx") ? name.substring(0, name.length() - ".onnx".length()) : name;
        return out.resolveSibling(stem + "." + part + ".onnx");
    }

    private static OnnxGraph encoder(Seq2Seq model) {
        Seq2SeqConfig c = model.config();
        Map<String, Tensor> w = model.stateDict();
        int he = c.encoderHidden(), m = c.memorySize(), hd = c.decoderHidden(), top = 2 * c.encoderLayers();
        var g = new OnnxGraph("seq2seq_encoder");
        String source = g.input("source", INT64, "S", "B"), lengths = g.input("lengths", INT64, "B");
        String x = g.node("Gather", List.of(g.initializer("source.weight", w.get("source.weight")), source), "embedded", attr("axis", 0));
        RecurrentConfig rc = RecurrentConfig.of(c.cell(), c.embed(), he).withLayers(c.encoderLayers()).withDirections(2);
        RecurrentExport.Outputs r = RecurrentExport.emit(g, stack(rc, w, "encoder."), x, lengths, "", "",
                List.of("memory", "encoder_h_n", "encoder_c_n"));
        g.output(r.output(), FLOAT, "S", "B", m);
        g.output(keys(g, c, w, r.output()), FLOAT, "S", "B", keySize(c, w));
        g.output(bridge(g, c, w, r.hN(), top, "h"), FLOAT, c.decoderLayers(), "B", hd);
        if (c.cell() == CellType.LSTM) g.output(bridge(g, c, w, r.cN(), top, "c"), FLOAT, c.decoderLayers(), "B", hd);
        return g;
    }

    /** K = W_m m for additive and general attention, m itself for dot. */
    private static String keys(OnnxGraph g, Seq2SeqConfig c, Map<String, Tensor> w, String memory) {
        if (c.attention() == Attention.Form.DOT) return g.node("Identity", List.of(memory), "keys");
        String wm = g.initializer("attention.memory.weight_t", TaskExport.transposed(w.get("attention.memory.weight")));
        return g.node("MatMul", List.of(memory, wm), "keys");
    }

    /** K: the rows of W_m (Seq2Seq sizes the additive form's hidden layer as the decoder's), or M for dot attention. */
    private static int keySize(Seq2SeqConfig c, Map<String, Tensor> w) {
        return c.attention() == Attention.Form.DOT ? c.memorySize() : w.get("attention.memory.weight").dim(0);
    }

    /** h0 (or c0) [Ld, B, Hd]: per decoder layer l, tanh(W_l [h→ ; h←] + b_l) of the top encoder layer's final states. */
    private static String bridge(OnnxGraph g, Seq2SeqConfig c, Map<String, Tensor> w, String state, int top, String which) {
        // Rows 2L−2 (forward) and 2L−1 (reverse) of [2L, B, He], side by side: [B, 2·He].
        String last = g.node("Slice", List.of(state, g.initializer("starts", top - 2), g.initializer("ends", top), g.initializer("axes", 0)),
                "top_" + which + "_n");
        String joined = g.node("Reshape", List.of(g.node("Transpose", List.of(last), "top_" + which + "_n_bdh", ints("perm", 1, 0, 2)),
                g.initializer("shape_b_dh", 0, -1)), "top_" + which + "_n_joined");
        var layers = new ArrayList<String>();
        for (int l = 0; l < c.decoderLayers(); l++) {
            String y = g.node("Tanh", List.of(linear(g, joined, w, "bridge." + which + l, "bridge_" + which + l)), "bridge_" + which + l + "_tanh");
            layers.add(g.node("Unsqueeze", List.of(y, g.initializer("state_axis", 0)), "bridge_" + which + l + "_1bh"));
        }
        return layers.size() == 1 ? g.node("Identity", layers, which + "0") : g.node("Concat", layers, which + "0", attr("axis", 0));
    }

    private static OnnxGraph decoder(Seq2Seq model) {
        Seq2SeqConfig c = model.config();
        Map<String, Tensor> w = model.stateDict();
        int hd = c.decoderHidden(), ld = c.decoderLayers();
        boolean lstm = c.cell() == CellType.LSTM;
        var g = new OnnxGraph("seq2seq_decoder");
        String previous = g.input("previous", INT64, "N");
        String h = g.input("h", FLOAT, ld, "N", hd), cell = lstm ? g.input("c", FLOAT, ld, "N", hd) : "";
        String feed = g.input("feed", FLOAT, "N", hd);
        String memory = g.input("memory", FLOAT, "S", "N", c.memorySize()), keys = g.input("keys", FLOAT, "S", "N", keySize(c, w));
        String lengths = g.input("lengths", INT64, "N");

        // One step of the stacked decoder over [E_tgt[y_{t−1}] ; h̃_{t−1}]: [1, N, E + Hd].
        String embedded = g.node("Gather", List.of(g.initializer("target.weight", w.get("target.weight")), previous), "embedded", attr("axis", 0));
        String x = g.node("Unsqueeze", List.of(g.node("Concat", List.of(embedded, feed), "decoder_input", attr("axis", 1)),
                g.initializer("time_axis", 0)), "decoder_input_1nf");
        RecurrentConfig rc = RecurrentConfig.of(c.cell(), c.embed() + hd, hd).withLayers(ld);
        RecurrentExport.Outputs r = RecurrentExport.emit(g, stack(rc, w, "decoder."), x, "", h, cell, List.of("decoder_output", "h_n", "c_n"));
        String query = g.node("Squeeze", List.of(r.output(), g.initializer("time_axis", 0)), "query");   // h_t [N, Hd]

        // Scores [S, N]: additive vᵀ tanh(K + W_q h_t + b_q); dot and general K · h_t.
        String scores = switch (c.attention()) {
            case ADDITIVE -> {
                String u = g.node("Tanh", List.of(g.node("Add", List.of(keys, linear(g, query, w, "attention.query", "query_projected")),
                        "attention_sum")), "attention_u");
                yield g.node("MatMul", List.of(u, g.initializer("attention.v", w.get("attention.v"))), "attention_scores");
            }
            case DOT, GENERAL -> g.node("ReduceSum", List.of(g.node("Mul", List.of(keys, query), "attention_products"),
                    g.initializer("feature_axis", 2)), "attention_scores", attr("keepdims", 0));
        };
        String masked = g.node("Where", List.of(mask(g, memory, lengths), scores, minusInfinity(g)), "attention_masked");
        String attention = g.node("Softmax", List.of(masked), "attention", attr("axis", 0));
        String weighted = g.node("Mul", List.of(memory, g.node("Unsqueeze", List.of(attention, g.initializer("feature_axis", 2)), "attention_sn1")),
                "weighted_memory");
        String context = g.node("ReduceSum", List.of(weighted, g.initializer("time_axis", 0)), "context", attr("keepdims", 0));

        // h̃_t = tanh(W_c [context ; h_t] + b_c), then the generator's scores over the target vocabulary.
        String joined = g.node("Concat", List.of(context, query), "context_query", attr("axis", 1));
        String attentional = g.node("Tanh", List.of(linear(g, joined, w, "combine", "combined")), "attentional");
        g.output(linear(g, attentional, w, "generator", "logits"), FLOAT, "N", model.targetVocabulary().size());
        g.output(r.hN(), FLOAT, ld, "N", hd);
        if (lstm) g.output(r.cN(), FLOAT, ld, "N", hd);
        g.output(attentional, FLOAT, "N", hd);
        g.output(attention, FLOAT, "S", "N");
        return g;
    }

    /** bool [S, N]: Range(S) [S, 1] &lt; lengths [N]. */
    private static String mask(OnnxGraph g, String memory, String lengths) {
        String zero = scalar(g, "zero", 0), one = scalar(g, "one", 1);
        String steps = g.node("Gather", List.of(g.node("Shape", List.of(memory), "memory_shape"), zero), "steps", attr("axis", 0));
        String column = g.node("Unsqueeze", List.of(g.node("Range", List.of(zero, steps, one), "positions"), g.initializer("column_axis", 1)),
                "positions_s1");
        return g.node("Less", List.of(column, lengths), "valid");
    }
}
