package dev.recur.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training checkpoint: everything a resumed run needs to continue exactly as an uninterrupted one, in one
 * safetensors file. The only class that knows its layout:
 * <pre>
 * model.NAME          the model's parameters, under the names of its model file
 * best.NAME           the best validated parameters so far, when validation has run
 * optimizer.stateI    the optimizer's buffers (Adam's moments, ...), in the optimizer's order
 * task.NAME           the task's state (recurrent state carried between batches, its random generator)
 * recur.config        metadata: the model's configuration, as in its model file
 * recur.trainer       metadata: the trainer's counters, best metric and schedule state (JSON)
 * </pre>
 * A checkpoint opens wherever a model file does ({@link ModelFile#read}), as the model it holds.
 */
public record Checkpoint(JsonNode config, Map<String, Tensor> model, List<Tensor> optimizer, Map<String, Tensor> task,
                         Map<String, Tensor> best, JsonNode trainer) {
    /** The metadata key of the trainer's state; a safetensors file with it is a checkpoint. */
    public static final String TRAINER_KEY = "recur.trainer";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "model.", BEST = "best.", OPTIMIZER = "optimizer.state", TASK = "task.";

    public Checkpoint {
        model = Collections.unmodifiableMap(new LinkedHashMap<>(model));
        optimizer = List.copyOf(optimizer);
        task = Collections.unmodifiableMap(new LinkedHashMap<>(task));
        best = best == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(best));
    }

    /** Writes the checkpoint atomically (a temporary file, then a move), so a crash leaves the previous one intact. */
    public void write(Path file) throws IOException {
        var tensors = new LinkedHashMap<String, Tensor>();
        model.forEach((name, t) -> tensors.put(MODEL + name, t));
        for (int i = 0; i < optimizer.size(); i++) tensors.put(OPTIMIZER + i, optimizer.get(i));
        task.forEach((name, t) -> tensors.put(TASK + name, t));
        if (best != null) best.forEach((name, t) -> tensors.put(BEST + name, t));
        var metadata = new LinkedHashMap<String, String>();
        if (config != null) metadata.put(ModelFile.CONFIG_KEY, config.toString());
        metadata.put(TRAINER_KEY, trainer.toString());
        SafeTensors.write(file, tensors, metadata);
    }

    /** Reads a checkpoint; a model file or any other safetensors file is a {@link ModelFormatException} saying what it is. */
    public static Checkpoint read(Path file) throws IOException {
        SafeTensors contents = SafeTensors.read(file);
        if (!holds(contents)) {
            throw new ModelFormatException(file, "not a checkpoint (no " + TRAINER_KEY + " metadata)"
                    + (contents.metadata().containsKey(ModelFile.CONFIG_KEY) ? "; it is a model file: resume from MODEL.ckpt, written beside it" : ""));
        }
        return of(String.valueOf(file), contents);
    }

    /** True when {@code contents} were written as a checkpoint. */
    public static boolean holds(SafeTensors contents) {
        return contents.metadata().containsKey(TRAINER_KEY);
    }

    static Checkpoint of(String source, SafeTensors contents) {
        var model = new LinkedHashMap<String, Tensor>();
        var best = new LinkedHashMap<String, Tensor>();
        var task = new LinkedHashMap<String, Tensor>();
        var optimizer = new ArrayList<Tensor>();
        contents.tensors().forEach((name, t) -> {
            if (name.startsWith(MODEL)) model.put(name.substring(MODEL.length()), t);
            else if (name.startsWith(BEST)) best.put(name.substring(BEST.length()), t);
            else if (name.startsWith(TASK)) task.put(name.substring(TASK.length()), t);
        });
        for (int i = 0; contents.tensors().containsKey(OPTIMIZER + i); i++) optimizer.add(contents.tensors().get(OPTIMIZER + i));
        String config = contents.metadata().get(ModelFile.CONFIG_KEY);
        return new Checkpoint(config == null ? null : json(source, ModelFile.CONFIG_KEY, config), model, optimizer, task,
                best.isEmpty() ? null : best, json(source, TRAINER_KEY, contents.metadata().get(TRAINER_KEY)));
    }

    /** The model this checkpoint holds, as if read from its model file. */
    public ModelFile modelFile(Path file) {
        if (config == null || !config.isObject()) throw new ModelFormatException(file, "the checkpoint holds no model configuration (" + ModelFile.CONFIG_KEY + ")");
        return new ModelFile(file, config, model);
    }

    private static JsonNode json(String source, String key, String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(source, key + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
