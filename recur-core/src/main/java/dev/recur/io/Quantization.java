package dev.recur.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Variable;
import dev.recur.nn.Module;
import dev.recur.tensor.QuantizedWeights;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a quantized model file stores in fewer bits: the type, and by parameter name each weight matrix's stored form.
 * In the file, recur.config carries {@code "quantization": {"dtype": "int8", "scheme": ..., "tensors": [names]}};
 * an int8 weight is an I8 tensor with its rows' scales beside it as {@code NAME.scale} (F32), a bf16 weight a BF16
 * tensor. Reading gives the model the dequantized float32 values and, through {@link #attach}, the stored forms.
 */
public record Quantization(QuantizedWeights.Type type, Map<String, QuantizedWeights> weights) {
    /** The key in recur.config. */
    public static final String CONFIG_KEY = "quantization";
    /** Beside an int8 weight {@code W}: {@code W.scale}. */
    public static final String SCALE_SUFFIX = ".scale";

    public Quantization {
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    /** The configuration's entry: the type, how scales are taken, and the weights stored so. */
    public ObjectNode configJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode().put("dtype", type.option())
                .put("scheme", type == QuantizedWeights.Type.INT8 ? "symmetric, one scale per output row" : "round to nearest even");
        weights.keySet().forEach(node.putArray("tensors")::add);
        return node;
    }

    /**
     * Gives each listed parameter of {@code model} (loaded with the dequantized values) its stored form, which
     * marks the model as quantized: inference kernels may read it, and optimizers refuse it.
     */
    public void attach(Module model, String source) {
        Map<String, Variable> params = model.namedParameters();
        weights.forEach((name, q) -> {
            Variable p = params.get(name);
            if (p == null) throw new ModelFormatException(source, "the quantization lists " + name + ", which this model does not have");
            try {
                p.value().attach(q);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(source, "tensor " + name + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * Quantizes {@code model}'s product weights in place: each holds its dequantized values with its stored form
     * attached, as if read from a quantized file. Returns what a file of it stores.
     */
    public static Quantization quantize(Module model, QuantizedWeights.Type type) {
        var weights = new LinkedHashMap<String, QuantizedWeights>();
        model.namedProductWeights().forEach((name, p) -> {
            QuantizedWeights q = QuantizedWeights.of(type, p.value());
            p.value().copyFrom(q.toTensor());
            p.value().attach(q);
            weights.put(name, q);
        });
        return new Quantization(type, weights);
    }

    /** The stored type of {@code model}'s weights, or null when none is quantized. */
    public static QuantizedWeights.Type of(Module model) {
        for (Variable p : model.namedParameters().values()) {
            if (p.value().quantized() != null) return p.value().quantized().type();
        }
        return null;
    }

    /** Reads the listed weights back from a file's tensors (as read: I8 and BF16 converted to exact floats). */
    static Quantization read(String source, JsonNode node, Map<String, dev.recur.tensor.Tensor> tensors, Map<String, String> dtypes) {
        QuantizedWeights.Type type;
        try {
            type = QuantizedWeights.Type.of(node.path("dtype").asText());
        } catch (RuntimeException e) {
            throw new ModelFormatException(source, CONFIG_KEY + ": " + e.getMessage());
        }
        JsonNode names = node.get("tensors");
        if (names == null || !names.isArray()) throw new ModelFormatException(source, CONFIG_KEY + " has no list of \"tensors\"");
        var weights = new LinkedHashMap<String, QuantizedWeights>();
        for (JsonNode n : names) {
            String name = n.asText();
            var stored = tensors.get(name);
            if (stored == null) throw new ModelFormatException(source, "the quantization lists tensor " + name + ", which the file does not have");
            String dtype = dtypes.getOrDefault(name, "F32");
            if (!dtype.equals(type.dtype())) {
                throw new ModelFormatException(source, "tensor " + name + " is stored as " + dtype + ", but the quantization says " + type.option()
                        + " (" + type.dtype() + ")");
            }
            var scale = tensors.get(name + SCALE_SUFFIX);
            if (type == QuantizedWeights.Type.INT8) {
                if (scale == null) throw new ModelFormatException(source, "int8 tensor " + name + " has no " + name + SCALE_SUFFIX);
                if (!dtypes.getOrDefault(name + SCALE_SUFFIX, "F32").equals("F32")) {
                    throw new ModelFormatException(source, "tensor " + name + SCALE_SUFFIX + " is stored as " + dtypes.get(name + SCALE_SUFFIX) + "; scales are F32");
                }
            }
            try {
                weights.put(name, QuantizedWeights.stored(type, stored, scale));
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(source, "tensor " + name + ": " + e.getMessage(), e);
            }
        }
        dtypes.forEach((name, dtype) -> {
            if (dtype.equals("I8") && !weights.containsKey(name)) {
                throw new ModelFormatException(source, "tensor " + name + " is int8, but recur.config's " + CONFIG_KEY + " does not list it");
            }
        });
        return new Quantization(type, weights);
    }
}
