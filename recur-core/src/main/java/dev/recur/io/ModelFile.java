package dev.recur.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model in one safetensors file: its configuration as JSON in the metadata under {@value #CONFIG_KEY}, and its
 * tensors under PyTorch's state_dict names ({@code weight_ih_l0}, {@code rnn.bias_hh_l1_reverse}, ...).
 * <pre>
 * ModelFile.write(path, "{\"type\": \"lstm\", \"input_size\": 3, \"hidden_size\": 5}", lstm.stateDict());
 * ModelFile model = ModelFile.read(path);
 * int hidden = model.config().get("hidden_size").asInt();
 * model.requireTensors(Map.of("weight_hh_l0", new int[] {20, 5}), "for hidden_size=5");
 * </pre>
 * {@code file} is where the model was read from, named in error messages; null for a model not read from a file.
 */
public record ModelFile(Path file, JsonNode config, Map<String, Tensor> tensors, Quantization quantization) {
    /** The metadata key holding the configuration JSON. */
    public static final String CONFIG_KEY = "recur.config";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * {@code quantization}: the weights a quantized file stores in int8 or bf16 (null for a float32 model); {@code
     * tensors} hold their dequantized values and {@code config} leaves the quantization out.
     */
    public ModelFile {
        Objects.requireNonNull(config, "config");
        if (!config.isObject()) throw new IllegalArgumentException("the model config must be a JSON object; got " + config);
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** A float32 model. */
    public ModelFile(Path file, JsonNode config, Map<String, Tensor> tensors) {
        this(file, config, tensors, null);
    }

    /**
     * Reads a model file, or the model inside a training {@link Checkpoint}; a file without a JSON object under
     * {@value #CONFIG_KEY} is a {@link ModelFormatException}.
     */
    public static ModelFile read(Path file) throws IOException {
        return of(file, SafeTensors.read(file));
    }

    /** As {@link #read}, from contents already read from {@code file}. */
    public static ModelFile of(Path file, SafeTensors contents) {
        if (Checkpoint.holds(contents)) return Checkpoint.of(String.valueOf(file), contents).modelFile(file);
        String text = contents.metadata().get(CONFIG_KEY);
        if (text == null) {
            throw new ModelFormatException(file, "no " + CONFIG_KEY
                    + " in the metadata; it was not written by Recur or by the snippet in the README");
        }
        JsonNode config;
        try {
            config = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(file.toString(), CONFIG_KEY + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (config == null || !config.isObject()) {
            boolean empty = config == null || config.isMissingNode();
            throw new ModelFormatException(file, CONFIG_KEY + " is " + (empty ? "empty" : Header.shorten(config.toString()))
                    + "; expected a JSON object such as {\"type\": \"lstm\", \"input_size\": 3, \"hidden_size\": 5}");
        }
        JsonNode quantized = config.get(Quantization.CONFIG_KEY);
        if (quantized == null) return new ModelFile(file, config, contents.tensors());
        var q = Quantization.read(String.valueOf(file), quantized, contents.tensors(), contents.dtypes());
        var tensors = new LinkedHashMap<String, Tensor>(contents.tensors());
        q.weights().forEach((name, w) -> {
            tensors.remove(name + Quantization.SCALE_SUFFIX);
            tensors.put(name, w.toTensor());
        });
        var plain = ((com.fasterxml.jackson.databind.node.ObjectNode) config).deepCopy();
        plain.remove(Quantization.CONFIG_KEY);
        return new ModelFile(file, plain, tensors, q);
    }

    /** Writes {@code config} (a JSON object) and {@code tensors} as one safetensors file, atomically. */
    public static void write(Path file, JsonNode config, Map<String, Tensor> tensors) throws IOException {
        new ModelFile(null, config, tensors).write(file);
    }

    /** As {@link #write(Path, JsonNode, Map)}, with the configuration as JSON text. */
    public static void write(Path file, String configJson, Map<String, Tensor> tensors) throws IOException {
        JsonNode config;
        try {
            config = JSON.readTree(configJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the model config is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (config == null || config.isMissingNode()) throw new IllegalArgumentException("the model config is empty; expected a JSON object");
        write(file, config, tensors);
    }

    /** Writes this model's configuration and tensors to {@code file}, atomically; quantized weights in their stored form. */
    public void write(Path file) throws IOException {
        if (quantization == null) {
            SafeTensors.write(file, tensors, Map.of(CONFIG_KEY, config.toString()));
            return;
        }
        var stored = new LinkedHashMap<String, Tensor>();
        var dtypes = new LinkedHashMap<String, String>();
        tensors.forEach((name, t) -> {
            var q = quantization.weights().get(name);
            if (q == null) {
                stored.put(name, t);
                return;
            }
            stored.put(name, q.storedTensor());
            dtypes.put(name, q.type().dtype());
            if (q.scaleTensor() != null) stored.put(name + Quantization.SCALE_SUFFIX, q.scaleTensor());
        });
        var withQuantization = ((com.fasterxml.jackson.databind.node.ObjectNode) config).deepCopy();
        withQuantization.set(Quantization.CONFIG_KEY, quantization.configJson());
        new SafeTensors(stored, Map.of(CONFIG_KEY, withQuantization.toString()), dtypes).write(file);
    }

    /** As {@link #requireTensors(String, Map, Map, String)} for this model's tensors, naming its file. */
    public void requireTensors(Map<String, int[]> expected, String reason) {
        requireTensors(String.valueOf(file), tensors, expected, reason);
    }

    /**
     * Checks that {@code tensors} holds exactly the {@code expected} names with the expected shapes, and
     * otherwise throws a {@link ModelFormatException} listing the problems, e.g.
     * {@code model.safetensors: tensor weight_hh_l0 has shape [20, 4]; expected [20, 5] for hidden_size=5}.
     * Extra tensors are errors too, as in PyTorch's strict {@code load_state_dict}; to check one part of a
     * model, pass the part's tensors only.
     *
     * @param source   the file or other origin, named first in the message
     * @param reason   why these shapes are expected, appended to shape errors, e.g. "for hidden_size=5"
     */
    public static void requireTensors(String source, Map<String, Tensor> tensors, Map<String, int[]> expected, String reason) {
        String why = reason == null || reason.isEmpty() ? "" : " " + reason;
        List<String> problems = new ArrayList<>();
        expected.forEach((name, shape) -> {
            Tensor t = tensors.get(name);
            if (t == null) problems.add("tensor " + name + " is missing; expected shape " + Arrays.toString(shape) + why);
            else if (!Arrays.equals(t.shape(), shape)) {
                problems.add("tensor " + name + " has shape " + t.shapeString() + "; expected " + Arrays.toString(shape) + why);
            }
        });
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) problems.add("unexpected tensor " + Header.shorten(name));
        }
        if (problems.isEmpty()) return;
        int shown = Math.min(problems.size(), 5);
        String detail = String.join("; ", problems.subList(0, shown))
                + (problems.size() > shown ? "; and " + (problems.size() - shown) + " more problems" : "");
        throw new ModelFormatException(source, detail);
    }
}
