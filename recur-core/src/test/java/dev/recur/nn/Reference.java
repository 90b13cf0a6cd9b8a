package dev.recur.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A PyTorch reference case written by tools/reference/rnn_reference.py: float32 tensors and a JSON config. */
record Reference(String name, JsonNode config, Map<String, Tensor> tensors) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The case names listed in reference/cases.txt. */
    static List<String> cases() throws IOException {
        try (InputStream in = open("reference/cases.txt")) {
            var names = new ArrayList<String>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) if (!line.isBlank()) names.add(line.trim());
            return names;
        }
    }

    static Reference load(String name) throws IOException {
        byte[] bytes;
        try (InputStream in = open("reference/" + name + ".safetensors")) {
            bytes = in.readAllBytes();
        }
        var buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) buf.getLong(0);
        JsonNode header = JSON.readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
        var tensors = new LinkedHashMap<String, Tensor>();
        for (var it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            int[] shape = JSON.convertValue(e.getValue().get("shape"), int[].class);
            int from = 8 + headerLength + e.getValue().get("data_offsets").get(0).asInt();
            float[] data = new float[Tensor.sizeOf(shape)];
            for (int i = 0; i < data.length; i++) data[i] = buf.getFloat(from + 4 * i);
            tensors.put(e.getKey(), Tensor.of(data, shape));
        }
        JsonNode config = JSON.readTree(header.get("__metadata__").get("recur.config").asText());
        return new Reference(name, config, tensors);
    }

    Tensor tensor(String key) {
        Tensor t = tensors.get(key);
        if (t == null) throw new IllegalArgumentException(name + ": no tensor " + key + "; have " + tensors.keySet());
        return t;
    }

    boolean has(String key) {
        return tensors.containsKey(key);
    }

    /** The layer's configuration, as PyTorch built it. */
    RecurrentConfig recurrentConfig() {
        var cell = CellType.valueOf(config.get("cell").asText().toUpperCase());
        var c = RecurrentConfig.of(cell, config.get("input_size").asInt(), config.get("hidden_size").asInt())
                .withLayers(config.get("layers").asInt())
                .withDirections(config.get("bidirectional").asBoolean() ? 2 : 1)
                .withBias(config.get("bias").asBoolean())
                .withProjSize(config.get("proj_size").asInt());
        if (config.get("nonlinearity").asText().equals("relu")) c = c.withNonlinearity(Nonlinearity.RELU);
        if (config.get("batch_first").asBoolean()) c = c.withBatchFirst();
        return c;
    }

    int[] lengths() {
        return JSON.convertValue(config.get("lengths"), int[].class);
    }

    /** The state_dict, in PyTorch's order. */
    Map<String, Tensor> stateDict() {
        var state = new LinkedHashMap<String, Tensor>();
        for (JsonNode n : config.get("state_dict")) state.put(n.asText(), tensor("param." + n.asText()));
        return state;
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = Reference.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) throw new IOException("test resource " + resource + " is missing; run tools/reference/rnn_reference.py");
        return in;
    }
}
