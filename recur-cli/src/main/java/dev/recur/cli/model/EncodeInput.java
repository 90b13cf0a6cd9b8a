package dev.recur.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.cli.model.NestedArrays.Axis;
import dev.recur.nn.CellType;
import dev.recur.nn.Lengths;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentState;
import dev.recur.tensor.Tensor;
import java.util.List;
import java.util.Set;

/**
 * What {@code recur encode} (and {@code recur serve}'s predict) runs a stack on, read from JSON and checked against the
 * model's configuration:
 * <pre>
 * {"input": [T][B][F] ([B][T][F] batch-first), "h0": [L·D][B][P], "c0": [L·D][B][H], "lengths": [B]}
 * </pre>
 * Only input is required; h0 and c0 (LSTM, both or neither) default to zeros, lengths to T for every sequence.
 */
public record EncodeInput(Tensor input, RecurrentState initial, Lengths lengths) {
    private static final Set<String> FIELDS = Set.of("input", "h0", "c0", "lengths");

    public static EncodeInput parse(String source, JsonNode json, RecurrentConfig config) {
        if (json == null || !json.isObject()) {
            throw NestedArrays.bad(source, "expected a JSON object such as {\"input\": [[[0.1, 0.2, 0.3]]]}; found "
                    + (json == null || json.isMissingNode() ? "nothing" : NestedArrays.describe(json)));
        }
        json.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) throw NestedArrays.bad(source, "unknown field \"" + name + "\"; expected \"input\", \"h0\", \"c0\" or \"lengths\"");
        });
        JsonNode x = present(json, "input");
        if (x == null) throw NestedArrays.bad(source, "\"input\" is missing; expected " + (config.batchFirst() ? "[B][T][F]" : "[T][B][F]") + " numbers");

        String features = "the model expects input_size=" + config.inputSize();
        List<Axis> axes = config.batchFirst()
                ? List.of(Axis.any("sequences"), Axis.any("time steps"), new Axis("features", config.inputSize(), features))
                : List.of(Axis.any("time steps"), Axis.any("sequences"), new Axis("features", config.inputSize(), features));
        Tensor input = NestedArrays.read(source, "input", x, axes);
        int steps = input.dim(config.batchFirst() ? 1 : 0), batch = input.dim(config.batchFirst() ? 0 : 1);
        return new EncodeInput(input, state(source, json, config, batch), lengths(source, json, steps, batch));
    }

    private static RecurrentState state(String source, JsonNode json, RecurrentConfig config, int batch) {
        JsonNode h0 = present(json, "h0"), c0 = present(json, "c0");
        boolean lstm = config.cell() == CellType.LSTM;
        String type = config.cell().name().toLowerCase();
        if (!lstm && c0 != null) throw NestedArrays.bad(source, "\"c0\" is given, but " + (type.equals("gru") ? "a " : "an ") + type + " has no cell state; remove it");
        if (lstm && (h0 == null) != (c0 == null)) {
            throw NestedArrays.bad(source, "\"" + (h0 == null ? "c0" : "h0") + "\" is given without \"" + (h0 == null ? "h0" : "c0")
                    + "\"; an lstm needs both, or neither for zeros");
        }
        if (h0 == null) return null;
        int n = config.numLayers() * config.directions();
        var slots = new Axis("layers×directions", n, "expected " + n + " = num_layers=" + config.numLayers() + " × "
                + config.directions() + " direction" + (config.bidirectional() ? "s" : ""));
        var sequences = new Axis("sequences", batch, "expected " + batch + ", the sequences of \"input\"");
        String hSize = config.projSize() > 0 ? "proj_size=" + config.projSize() : "hidden_size=" + config.hiddenSize();
        Tensor h = NestedArrays.read(source, "h0", h0, List.of(slots, sequences,
                new Axis("features", config.outputSize(), "the model expects " + hSize)));
        if (!lstm) return RecurrentState.of(h);
        Tensor c = NestedArrays.read(source, "c0", c0, List.of(slots, sequences,
                new Axis("features", config.hiddenSize(), "the model expects hidden_size=" + config.hiddenSize())));
        return RecurrentState.of(h, c);
    }

    private static Lengths lengths(String source, JsonNode json, int steps, int batch) {
        JsonNode l = present(json, "lengths");
        if (l == null) return null;
        if (!l.isArray()) throw NestedArrays.bad(source, "\"lengths\" is " + NestedArrays.describe(l) + "; expected an array of " + batch + " integers");
        if (l.size() != batch) {
            throw NestedArrays.bad(source, "\"lengths\" has " + l.size() + (l.size() == 1 ? " entry" : " entries") + "; expected " + batch + ", one per sequence of \"input\"");
        }
        int[] values = new int[batch];
        for (int b = 0; b < batch; b++) {
            JsonNode v = l.get(b);
            boolean integral = v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()));
            if (!integral || v.asDouble() < 1 || v.asDouble() > steps) {
                throw NestedArrays.bad(source, "\"lengths\"[" + b + "] is " + (v.isNumber() ? v.toString() : NestedArrays.describe(v))
                        + "; expected an integer from 1 to " + steps + ", the time steps of \"input\"");
            }
            values[b] = v.asInt();
        }
        return Lengths.of(values);
    }

    /** The field, or null when absent or JSON null. */
    private static JsonNode present(JsonNode json, String field) {
        JsonNode v = json.get(field);
        return v == null || v.isNull() ? null : v;
    }
}
