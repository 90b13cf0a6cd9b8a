package dev.recur.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.nn.CellType;
import dev.recur.nn.Nonlinearity;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentInit;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A bare recurrent stack ({@link Recurrent}: RNN, LSTM or GRU) as a model file: its tensors under PyTorch's
 * state_dict names with no prefix, and its configuration under {@value ModelFile#CONFIG_KEY}:
 * <pre>
 * {"type": "lstm", "input_size": 3, "hidden_size": 5, "num_layers": 2, "bias": true, "bidirectional": true,
 *  "proj_size": 0, "batch_first": false}                         "nonlinearity": "tanh" or "relu" for "rnn"
 *                                                                 "reset_after": false for a "gru" with the reset before W_hn
 * </pre>
 * type, input_size and hidden_size are required; the others default to PyTorch's constructor defaults (one layer,
 * bias, one direction, no projection, time-major, tanh, the GRU's reset gate after W_hn h + b_hn). reset_after is
 * named as Keras' GRU argument; false is the GRU of {@link RecurrentConfig#withResetBefore}. A PyTorch model saved
 * this way (docs/pytorch.md) reads as
 * <pre>
 * Recurrent lstm = RecurrentModelFile.read(Path.of("lstm.safetensors"));
 * RecurrentModelFile.write(Path.of("copy.safetensors"), lstm);
 * </pre>
 * Reading checks the configuration, then every tensor's presence, shape and values, before building the layer,
 * so a bad file is a {@link ModelFormatException} naming it and never a half-loaded model.
 */
public final class RecurrentModelFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TYPES = Set.of("rnn", "lstm", "gru");
    private static final List<String> FIELDS = List.of("type", "nonlinearity", "input_size", "hidden_size", "num_layers",
            "bias", "bidirectional", "proj_size", "batch_first", "dropout", "reset_after");
    private static final Pattern LAYER_TENSOR = Pattern.compile("(weight|bias)_(ih|hh|hr)_l(\\d+)(_reverse)?");

    private RecurrentModelFile() {}

    /** Writes {@code rnn}'s configuration and parameters to {@code file}, atomically. */
    public static void write(Path file, Recurrent rnn) throws IOException {
        ModelFile.write(file, configJson(rnn.config()), rnn.stateDict());
    }

    /** Reads a bare recurrent stack, checked as the class comment says, in evaluation mode. */
    public static Recurrent read(Path file) throws IOException {
        return of(ModelFile.read(file));
    }

    /** The stack held by an already read model file; {@code model.file()} is named in messages. */
    public static Recurrent of(ModelFile model) {
        String source = String.valueOf(model.file());
        RecurrentConfig config = config(source, model.config());
        requireTensors(source, config, model.tensors());
        Recurrent rnn = Recurrent.of(config, new Rng(0));
        rnn.loadStateDict(model.tensors());
        rnn.train(false);
        return rnn;
    }

    /**
     * The stored configuration: the fields of the class comment, with batch_first, proj_size and nonlinearity always
     * written; reset_after only when false, so a PyTorch-form GRU's file reads in a Recur that predates the field.
     */
    public static ObjectNode configJson(RecurrentConfig config) {
        ObjectNode c = JSON.createObjectNode().put("type", config.cell().name().toLowerCase(Locale.ROOT));
        if (config.cell() == CellType.RNN) c.put("nonlinearity", config.nonlinearity().name().toLowerCase(Locale.ROOT));
        if (!config.resetAfter()) c.put("reset_after", false);
        return c.put("input_size", config.inputSize()).put("hidden_size", config.hiddenSize())
                .put("num_layers", config.numLayers()).put("bias", config.bias()).put("bidirectional", config.bidirectional())
                .put("proj_size", config.projSize()).put("batch_first", config.batchFirst());
    }

    /**
     * Parses a stored configuration, naming every bad, missing or unknown field, e.g.
     * {@code m.safetensors: recur.config: "hidden_size" is missing; expected a positive integer such as 5}.
     */
    public static RecurrentConfig config(String source, JsonNode json) {
        if (json.path("type").asText().equals("language_model")) {
            throw new ModelFormatException(source, ModelFile.CONFIG_KEY
                    + ": \"type\" is \"language_model\": this is a language model, not a bare recurrent stack; use `recur lm`");
        }
        var problems = new ArrayList<String>();
        String type = json.path("type").isTextual() ? json.get("type").asText().toLowerCase(Locale.ROOT) : null;
        if (!json.has("type")) problems.add("\"type\" is missing; expected \"lstm\", \"gru\" or \"rnn\"");
        else if (type == null || !TYPES.contains(type)) {
            problems.add("\"type\" is " + Header.shorten(json.get("type").toString()) + "; expected \"lstm\", \"gru\" or \"rnn\"");
            type = null;
        }
        json.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) problems.add("unknown field \"" + Header.shorten(name) + "\"; expected " + FIELDS);
        });
        int inputSize = positive(json, "input_size", true, 1, problems);
        int hiddenSize = positive(json, "hidden_size", true, 1, problems);
        int numLayers = positive(json, "num_layers", false, 1, problems);
        boolean bias = bool(json, "bias", true, problems);
        boolean bidirectional = bool(json, "bidirectional", false, problems);
        boolean batchFirst = bool(json, "batch_first", false, problems);
        int projSize = 0;
        JsonNode p = json.get("proj_size");
        if (p != null && !(p.isIntegralNumber() && p.canConvertToInt() && p.asInt() >= 0)) {
            problems.add("\"proj_size\" is " + p + "; expected 0 (no projection) or a positive integer");
        } else if (p != null) {
            projSize = p.asInt();
            if (projSize > 0 && type != null && !type.equals("lstm")) problems.add("\"proj_size\" is " + projSize + "; only an lstm projects, this is " + article(type));
            if (projSize > 0 && hiddenSize > 0 && projSize >= hiddenSize) {
                problems.add("\"proj_size\" is " + projSize + "; it must be smaller than hidden_size=" + hiddenSize);
            }
        }
        Nonlinearity nonlinearity = Nonlinearity.TANH;
        JsonNode n = json.get("nonlinearity");
        if (n != null) {
            String s = n.isTextual() ? n.asText().toLowerCase(Locale.ROOT) : "";
            if (!s.equals("tanh") && !s.equals("relu")) problems.add("\"nonlinearity\" is " + n + "; expected \"tanh\" or \"relu\"");
            else if (s.equals("relu") && type != null && !type.equals("rnn")) problems.add("\"nonlinearity\" is \"relu\"; only an rnn has one, this is " + article(type));
            else nonlinearity = Nonlinearity.valueOf(s.toUpperCase(Locale.ROOT));
        }
        boolean resetAfter = bool(json, "reset_after", true, problems);
        if (!resetAfter && type != null && !type.equals("gru")) {
            problems.add("\"reset_after\" is false; only a gru has a reset gate, this is " + article(type));
        }
        float dropout = 0;
        JsonNode d = json.get("dropout");
        if (d != null && !(d.isNumber() && d.asDouble() >= 0 && d.asDouble() < 1)) problems.add("\"dropout\" is " + d + "; expected a number in [0, 1)");
        else if (d != null) dropout = (float) d.asDouble();
        if (!problems.isEmpty()) throw new ModelFormatException(source, ModelFile.CONFIG_KEY + ": " + String.join("; ", problems));
        return new RecurrentConfig(CellType.valueOf(type.toUpperCase(Locale.ROOT)), inputSize, hiddenSize, numLayers, bias,
                bidirectional, dropout, batchFirst, projSize, nonlinearity, RecurrentInit.UNIFORM, false, 0, resetAfter);
    }

    /**
     * The tensors a stack with {@code config} holds, in PyTorch's order, with their shapes: weight_ih_l{k}[_reverse]
     * [G·H, F or D·P], weight_hh_l{k} [G·H, P], bias_ih_l{k} and bias_hh_l{k} [G·H], weight_hr_l{k} [P, H].
     */
    public static Map<String, int[]> expectedShapes(RecurrentConfig config) {
        var shapes = new LinkedHashMap<String, int[]>();
        reasons(config).forEach((name, r) -> shapes.put(name, r.shape()));
        return shapes;
    }

    private record Expected(int[] shape, String reason) {}

    /** Each tensor's shape and the configuration fields it follows from, for messages. */
    private static Map<String, Expected> reasons(RecurrentConfig c) {
        var all = new LinkedHashMap<String, Expected>();
        int g = c.cell().gates() * c.hiddenSize(), h = c.hiddenSize(), p = c.outputSize();
        String hidden = "hidden_size=" + h, proj = c.projSize() > 0 ? ", proj_size=" + c.projSize() : "";
        for (int k = 0; k < c.numLayers(); k++) {
            for (String dir : c.bidirectional() ? List.of("", "_reverse") : List.of("")) {
                String suffix = "_l" + k + dir;
                String in = k == 0 ? "input_size=" + c.inputSize()
                        : "bidirectional=" + c.bidirectional() + proj;
                all.put("weight_ih" + suffix, new Expected(new int[] {g, c.layerInputSize(k)}, "for " + hidden + ", " + in));
                all.put("weight_hh" + suffix, new Expected(new int[] {g, p}, "for " + hidden + proj));
                if (c.bias()) {
                    all.put("bias_ih" + suffix, new Expected(new int[] {g}, "for " + hidden));
                    all.put("bias_hh" + suffix, new Expected(new int[] {g}, "for " + hidden));
                }
                if (c.projSize() > 0) all.put("weight_hr" + suffix, new Expected(new int[] {p, h}, "for " + hidden + proj));
            }
        }
        return all;
    }

    /** Every expected tensor present with its shape and finite values, and no other; otherwise the problems, at most five. */
    private static void requireTensors(String source, RecurrentConfig config, Map<String, Tensor> tensors) {
        var problems = new ArrayList<String>();
        String type = config.cell().name().toLowerCase(Locale.ROOT);
        reasons(config).forEach((name, e) -> {
            Tensor t = tensors.get(name);
            if (t == null) problems.add("tensor " + name + " is missing; expected shape " + Arrays.toString(e.shape()) + " " + e.reason());
            else if (!Arrays.equals(t.shape(), e.shape())) {
                problems.add("tensor " + name + " has shape " + t.shapeString() + "; expected " + Arrays.toString(e.shape()) + " " + e.reason());
            } else if (t.firstNonFinite() >= 0) {
                int i = t.firstNonFinite();
                problems.add("tensor " + name + " holds " + t.at(i) + " at " + Arrays.toString(t.unflatten(i)) + "; weights must be finite");
            }
        });
        var expected = reasons(config).keySet();
        for (String name : tensors.keySet()) {
            if (!expected.contains(name)) problems.add("unexpected tensor " + Header.shorten(name) + unexpectedHint(name, config, type));
        }
        if (problems.isEmpty()) return;
        int shown = Math.min(problems.size(), 5);
        throw new ModelFormatException(source, String.join("; ", problems.subList(0, shown))
                + (problems.size() > shown ? "; and " + (problems.size() - shown) + " more problems" : ""));
    }

    /** Why a tensor name does not belong: the config field that rules it out, or a prefix from a larger module. */
    private static String unexpectedHint(String name, RecurrentConfig config, String type) {
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            return " (a prefix \"" + Header.shorten(name.substring(0, dot + 1)) + "\": save the " + type
                    + "'s own state_dict, e.g. model.rnn.state_dict(), not the whole model's)";
        }
        var layer = LAYER_TENSOR.matcher(name);
        if (!layer.matches()) return "; " + article(type) + " holds only weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, weight_hr_l{k}";
        if (Integer.parseInt(layer.group(3)) >= config.numLayers()) return "; the config has num_layers=" + config.numLayers();
        if (layer.group(4) != null && !config.bidirectional()) return "; the config has bidirectional=false";
        if (layer.group(1).equals("bias") && !config.bias()) return "; the config has bias=false";
        if (layer.group(2).equals("hr")) return "; the config has proj_size=" + config.projSize();
        return "";
    }

    /** "an lstm", "a gru", "an rnn". */
    static String article(String type) {
        return (type.equals("gru") ? "a " : "an ") + type;
    }

    private static int positive(JsonNode json, String field, boolean required, int fallback, List<String> problems) {
        JsonNode v = json.get(field);
        if (v == null) {
            if (required) problems.add("\"" + field + "\" is missing; expected a positive integer such as 5");
            return required ? -1 : fallback;
        }
        if (v.isIntegralNumber() && v.canConvertToInt() && v.asInt() > 0) return v.asInt();
        problems.add("\"" + field + "\" is " + Header.shorten(v.toString()) + "; expected a positive integer");
        return -1;
    }

    private static boolean bool(JsonNode json, String field, boolean fallback, List<String> problems) {
        JsonNode v = json.get(field);
        if (v == null) return fallback;
        if (v.isBoolean()) return v.asBoolean();
        problems.add("\"" + field + "\" is " + Header.shorten(v.toString()) + "; expected true or false");
        return fallback;
    }
}
