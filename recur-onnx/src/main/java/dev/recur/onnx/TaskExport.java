package dev.recur.onnx;

import static dev.recur.onnx.OnnxGraph.FLOAT;
import static dev.recur.onnx.OnnxGraph.INT64;
import static dev.recur.onnx.OnnxGraph.attr;
import static dev.recur.onnx.OnnxGraph.ints;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.recur.io.ModelFile;
import dev.recur.nn.CellType;
import dev.recur.nn.Pooling;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.task.classify.Classifier;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.LanguageModelConfig;
import dev.recur.task.tag.Tagger;
import dev.recur.task.tag.TaggerConfig;
import dev.recur.task.text.EncoderConfig;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Task models as ONNX graphs around {@link RecurrentExport}'s stack, T and B dynamic, token ids time-major:
 * <pre>
 * language model  tokens int64 [T, B], lengths int64 [B], h0 [L, B, H], c0 [L, B, H] (lstm)
 *                 → logits [T, B, V], h_n [L, B, H], c_n [L, B, H] (lstm)
 * classifier      tokens [T, B], lengths [B] (+ chars [C, T·B], char_lengths [T·B] with a character encoder)
 *                 → logits [B, K], probabilities [B, K] (+ attention [T, B] with attention pooling)
 * tagger          the classifier's inputs → emissions [T, B, K] (+ transitions [K, K], start_transitions [K],
 *                 end_transitions [K] with a CRF)
 * </pre>
 * Embeddings are Gather, linear layers MatMul + Add, dropout is left out (inference). Pooling over each sequence's
 * valid steps as {@link Pooling}: LAST from the top layer's final states, MEAN a sum over time divided by the
 * length, MAX and ATTENTION with steps t ≥ n_b masked to −∞. A character encoder reads each position's characters
 * ({@code chars[j, t·B + b]}, time-major over the characters, padding positions one character long) with its
 * BiLSTM and joins both final states to the word embedding, as {@code TextEncoder} does per distinct word. A CRF's
 * parameters are outputs as the tagger's Viterbi decoding uses them: −∞ at the transitions its tag scheme forbids
 * (such as O → I-X under BIO). Tokenization and decoding stay with the caller; recur.config, with the
 * vocabularies, labels and tags, goes into the metadata. Classifiers and taggers need {@code lengths}, so they
 * refuse {@link Inputs#INPUT}.
 * <pre>
 * var lm = Models.open(Path.of("sotu.safetensors"), LanguageModel.class);
 * ModelProto onnx = TaskExport.languageModel(lm, lm.configJson().toString(), RecurrentExport.Inputs.ALL, 17);
 * </pre>
 */
public final class TaskExport {
    private TaskExport() {}

    /** A language model's graph; {@link Inputs#INPUT} declares {@code tokens} alone (full lengths, zero state). */
    public static ModelProto languageModel(LanguageModel lm, String configJson, Inputs inputs, int opset) {
        OnnxGraph.checkOpset(opset);
        LanguageModelConfig c = lm.config();
        Map<String, Tensor> w = lm.stateDict();
        int v = lm.vocabulary().size();
        boolean lstm = c.cell() == CellType.LSTM;
        var g = new OnnxGraph("language_model");
        String tokens = g.input("tokens", INT64, "T", "B");
        String lengths = "", h0 = "", c0 = "";
        if (inputs == Inputs.ALL) {
            lengths = g.input("lengths", INT64, "B");
            h0 = g.input("h0", FLOAT, c.layers(), "B", c.hidden());
            if (lstm) c0 = g.input("c0", FLOAT, c.layers(), "B", c.hidden());
        }
        String x = g.node("Gather", List.of(g.initializer("encoder.weight", w.get("encoder.weight")), tokens), "embedded", attr("axis", 0));
        Recurrent rnn = stack(RecurrentConfig.of(c.cell(), c.embed(), c.hidden()).withLayers(c.layers()), w, "rnn.");
        RecurrentExport.Outputs r = RecurrentExport.emit(g, rnn, x, lengths, h0, c0, List.of("rnn_output", "h_n", "c_n"));
        g.output(linear(g, r.output(), w, "decoder", "logits"), FLOAT, "T", "B", v);
        g.output(r.hN(), FLOAT, c.layers(), "B", c.hidden());
        if (lstm) g.output(r.cN(), FLOAT, c.layers(), "B", c.hidden());
        return g.model(opset, Map.of(ModelFile.CONFIG_KEY, configJson));
    }

    /** A text classifier's graph: every pooling, every encoder (with or without a character encoder). */
    public static ModelProto classifier(Classifier classifier, String configJson, Inputs inputs, int opset) {
        OnnxGraph.checkOpset(opset);
        requireLengths(inputs, "a text classifier");
        Map<String, Tensor> w = classifier.stateDict();
        EncoderConfig ec = classifier.config().encoder();
        int k = classifier.labels().size();
        var g = new OnnxGraph("classifier");
        Encoder e = Encoder.emit(g, ec, w, "encoder.");
        String attention = null, pooled = switch (classifier.config().pooling()) {
            case LAST -> {
                // The top layer's final states [D, B, H] side by side: [B, D·H] (forward, then reverse).
                int l = ec.layers(), d = ec.directions();
                String top = g.node("Slice", List.of(e.hN, g.initializer("starts", (l - 1) * d), g.initializer("ends", l * d),
                        g.initializer("axes", 0)), "top_h_n");
                String bdh = g.node("Transpose", List.of(top), "top_h_n_bdh", ints("perm", 1, 0, 2));
                yield g.node("Reshape", List.of(bdh, g.initializer("shape_b_dh", 0, -1)), "pooled");
            }
            case MEAN -> {
                String sum = g.node("ReduceSum", List.of(e.output, g.initializer("time_axis", 0)), "summed", attr("keepdims", 0));
                String n = g.node("Unsqueeze", List.of(g.node("Cast", List.of(e.lengths), "lengths_float", attr("to", FLOAT)),
                        g.initializer("column_axis", 1)), "lengths_column");
                yield g.node("Div", List.of(sum, n), "pooled");
            }
            case MAX -> {
                String mask = g.node("Unsqueeze", List.of(e.mask(), g.initializer("feature_axis", 2)), "valid_tbc");
                String masked = g.node("Where", List.of(mask, e.output, minusInfinity(g)), "masked_output");
                yield g.node("ReduceMax", List.of(masked), "pooled", ints("axes", 0), attr("keepdims", 0));
            }
            case ATTENTION -> {
                // u = tanh(W x + b) [T, B, A], s = vᵀ u [T, B], α = softmax over each sequence's valid steps.
                String u = g.node("Tanh", List.of(linear(g, e.output, w, "attention", "attention_u")), "attention_tanh");
                String s = g.node("MatMul", List.of(u, g.initializer("attention.context", w.get("attention.context"))), "attention_scores");
                String masked = g.node("Where", List.of(e.mask(), s, minusInfinity(g)), "attention_masked");
                attention = g.node("Softmax", List.of(masked), "attention", attr("axis", 0));
                String weighted = g.node("Mul", List.of(e.output, g.node("Unsqueeze", List.of(attention, g.initializer("feature_axis", 2)),
                        "attention_tb1")), "weighted_output");
                yield g.node("ReduceSum", List.of(weighted, g.initializer("time_axis", 0)), "pooled", attr("keepdims", 0));
            }
        };
        String logits = linear(g, pooled, w, "head", "logits");
        g.output(logits, FLOAT, "B", k);
        g.output(g.node("Softmax", List.of(logits), "probabilities", attr("axis", 1)), FLOAT, "B", k);
        if (attention != null) g.output(attention, FLOAT, "T", "B");
        return g.model(opset, Map.of(ModelFile.CONFIG_KEY, configJson));
    }

    /** A tagger's graph: emission scores per token and, with a CRF, the transition scores its decoding uses. */
    public static ModelProto tagger(Tagger tagger, String configJson, Inputs inputs, int opset) {
        OnnxGraph.checkOpset(opset);
        requireLengths(inputs, "a sequence tagger");
        Map<String, Tensor> w = tagger.stateDict();
        int k = tagger.tags().size();
        var g = new OnnxGraph("tagger");
        Encoder e = Encoder.emit(g, tagger.config().encoder(), w, "encoder.");
        g.output(linear(g, e.output, w, "emissions", "emissions"), FLOAT, "T", "B", k);
        if (tagger.config().head() == TaggerConfig.Head.CRF) {
            Tensor transitions = w.get("crf.transitions").copy(), start = w.get("crf.start_transitions").copy(),
                    end = w.get("crf.end_transitions").copy();
            if (tagger.scheme().hasSpans()) {
                var allowed = tagger.scheme().transitions(tagger.tags());
                for (int i = 0; i < k; i++) {
                    if (!allowed.allowedStart(i)) start.data()[start.offset() + i] = Float.NEGATIVE_INFINITY;
                    if (!allowed.allowedEnd(i)) end.data()[end.offset() + i] = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < k; j++) {
                        if (!allowed.allowed(i, j)) transitions.data()[transitions.offset() + i * k + j] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            g.output(g.node("Identity", List.of(g.initializer("crf.transitions", transitions)), "transitions"), FLOAT, k, k);
            g.output(g.node("Identity", List.of(g.initializer("crf.start_transitions", start)), "start_transitions"), FLOAT, k);
            g.output(g.node("Identity", List.of(g.initializer("crf.end_transitions", end)), "end_transitions"), FLOAT, k);
        }
        return g.model(opset, Map.of(ModelFile.CONFIG_KEY, configJson));
    }

    /**
     * The shared text encoder's nodes: its graph inputs, its outputs [T, B, D·H] (zero past each length), the
     * stack's final states [L·D, B, H], and on demand the mask of valid steps (bool [T, B], t &lt; n_b).
     */
    private static final class Encoder {
        final OnnxGraph g;
        final String tokens, lengths;
        String output, hN, mask;

        private Encoder(OnnxGraph g, String tokens, String lengths) {
            this.g = g;
            this.tokens = tokens;
            this.lengths = lengths;
        }

        static Encoder emit(OnnxGraph g, EncoderConfig c, Map<String, Tensor> w, String prefix) {
            var e = new Encoder(g, g.input("tokens", INT64, "T", "B"), g.input("lengths", INT64, "B"));
            String x = g.node("Gather", List.of(g.initializer(prefix + "embedding.weight", w.get(prefix + "embedding.weight")), e.tokens),
                    "embedded", attr("axis", 0));
            int inputSize = c.embed();
            if (c.charEmbed() > 0) {
                x = g.node("Concat", List.of(x, e.characterFeatures(c, w, prefix)), "embedded_with_chars", attr("axis", 2));
                inputSize += 2 * c.charHidden();
            }
            RecurrentConfig rc = RecurrentConfig.of(c.cell(), inputSize, c.hidden()).withLayers(c.layers()).withDirections(c.directions());
            RecurrentExport.Outputs r = RecurrentExport.emit(g, stack(rc, w, prefix + "rnn."), x, e.lengths, "", "",
                    List.of("encoder_output", "encoder_h_n", "encoder_c_n"));
            e.output = r.output();
            e.hN = r.hN();
            return e;
        }

        /**
         * Both final states of the character BiLSTM at every position: chars [C, N] (N = T·B) → [T, B, 2·Hc],
         * zeros at padding, as TextEncoder's table of distinct words placed at the words' positions.
         */
        private String characterFeatures(EncoderConfig c, Map<String, Tensor> w, String prefix) {
            String chars = g.input("chars", INT64, "C", "N");
            String charLengths = g.input("char_lengths", INT64, "N");
            String embedded = g.node("Gather", List.of(g.initializer(prefix + "chars.embedding.weight", w.get(prefix + "chars.embedding.weight")),
                    chars), "chars_embedded", attr("axis", 0));
            RecurrentConfig rc = RecurrentConfig.lstm(c.charEmbed(), c.charHidden()).withDirections(2);
            RecurrentExport.Outputs r = RecurrentExport.emit(g, stack(rc, w, prefix + "chars.rnn."), embedded, charLengths, "", "",
                    List.of("chars_output", "chars_h_n", "chars_c_n"));
            String perPosition = g.node("Transpose", List.of(r.hN()), "chars_h_n_n2h", ints("perm", 1, 0, 2));   // [N, 2, Hc]
            String shape = g.node("Concat", List.of(g.node("Shape", List.of(tokens), "tokens_shape"),
                    g.initializer("char_features", 2L * c.charHidden())), "char_features_shape", attr("axis", 0));
            String features = g.node("Reshape", List.of(perPosition, shape), "char_features_tbh");
            String valid = g.node("Cast", List.of(g.node("Unsqueeze", List.of(mask(), g.initializer("feature_axis", 2)), "valid_tb1")),
                    "valid_float", attr("to", FLOAT));
            return g.node("Mul", List.of(features, valid), "char_features");
        }

        /** bool [T, B]: Range(T) [T, 1] &lt; lengths [B]. */
        String mask() {
            if (mask == null) {
                String zero = scalar(g, "zero", 0), one = scalar(g, "one", 1);
                String steps = g.node("Gather", List.of(g.node("Shape", List.of(tokens), "tokens_shape"), zero), "steps", attr("axis", 0));
                String range = g.node("Range", List.of(zero, steps, one), "positions");
                String column = g.node("Unsqueeze", List.of(range, g.initializer("column_axis", 1)), "positions_t1");
                mask = g.node("Less", List.of(column, lengths), "valid");
            }
            return mask;
        }
    }

    /** y = x Wᵀ + b from the stored {@code prefix.weight} [out, in] and {@code prefix.bias} [out]. */
    static String linear(OnnxGraph g, String x, Map<String, Tensor> w, String prefix, String name) {
        String weight = g.initializer(prefix + ".weight_t", transposed(w.get(prefix + ".weight")));
        String product = g.node("MatMul", List.of(x, weight), prefix + "_matmul");
        return g.node("Add", List.of(product, g.initializer(prefix + ".bias", w.get(prefix + ".bias"))), name);
    }

    /** A recurrent stack with {@code config} and the weights stored under {@code prefix}, for {@link RecurrentExport#emit}. */
    static Recurrent stack(RecurrentConfig config, Map<String, Tensor> weights, String prefix) {
        Recurrent rnn = Recurrent.of(config, new Rng(0));
        var own = new LinkedHashMap<String, Tensor>();
        weights.forEach((name, t) -> {
            if (name.startsWith(prefix) && !name.substring(prefix.length()).contains(".")) own.put(name.substring(prefix.length()), t);
        });
        rnn.loadStateDict(own);
        return rnn;
    }

    static Tensor transposed(Tensor m) {
        int rows = m.dim(0), columns = m.dim(1);
        Tensor t = Tensor.zeros(columns, rows);
        for (int i = 0; i < rows; i++) for (int j = 0; j < columns; j++) t.data()[j * rows + i] = m.at(i * columns + j);
        return t;
    }

    static String minusInfinity(OnnxGraph g) {
        return g.initializer("minus_infinity", Tensor.scalar(Float.NEGATIVE_INFINITY));
    }

    /** An int64 scalar (rank 0), as Range and a scalar Gather index need: a Constant node. */
    static String scalar(OnnxGraph g, String name, long value) {
        var bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        var tensor = TensorProto.newBuilder().setDataType(INT64).setRawData(ByteString.copyFrom(bytes.array()));
        var a = AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(tensor).build();
        return g.node("Constant", List.of(), name, a);
    }

    private static void requireLengths(Inputs inputs, String noun) {
        InvalidOptionException.check(inputs == Inputs.ALL, "--inputs input applies to recurrent stacks and language models;"
                + " the graph of %s needs lengths (for an unpadded batch, T for every sequence)", noun);
    }
}
