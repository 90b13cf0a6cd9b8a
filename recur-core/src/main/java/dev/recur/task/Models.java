package dev.recur.task;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.io.Checkpoint;
import dev.recur.io.ModelFile;
import dev.recur.io.ModelFormatException;
import dev.recur.io.RecurrentModelFile;
import dev.recur.io.SafeTensors;
import dev.recur.task.anomaly.AnomalyDetector;
import dev.recur.task.classify.Classifier;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.tag.Tagger;
import dev.recur.nn.Module;
import dev.recur.nn.Recurrent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The model registry: any Recur model file or training checkpoint opens through one call, which dispatches on the
 * task its configuration names ({@code "type"} in recur.config). Commands that take any model ({@code inspect},
 * {@code serve}, {@code export}, {@code quantize}) use {@link #open(Path)}; a task's own commands ask for their class
 * and get a one-line error when the file holds another task's model.
 * <pre>
 * Models.Opened any = Models.open(Path.of("sotu-lstm.safetensors"));       // any.kind().noun(): "a language model"
 * LanguageModel lm = Models.open(Path.of("sotu-lstm.safetensors"), LanguageModel.class);
 * </pre>
 * A new task registers its {@link Kind} once: its type, how to name it, its command and its loader.
 */
public final class Models {
    private static final Map<String, Kind> KINDS = Collections.synchronizedMap(new LinkedHashMap<>());

    static {
        for (String cell : new String[] {"lstm", "gru", "rnn"}) {
            register(new Kind(cell, "a bare " + cell.toUpperCase() + " stack", "recur encode", Recurrent.class, RecurrentModelFile::of));
        }
        register(new Kind(LanguageModel.TYPE, "a language model", "recur lm", LanguageModel.class, LanguageModel::of));
        register(new Kind(Classifier.TYPE, "a text classifier", "recur classify", Classifier.class, Classifier::of));
        register(new Kind(Tagger.TYPE, "a sequence tagger", "recur tag", Tagger.class, Tagger::of));
        register(new Kind(Forecaster.TYPE, "a forecaster", "recur forecast", Forecaster.class, Forecaster::of));
        register(new Kind(AnomalyDetector.TYPE, "an anomaly detector", "recur anomaly", AnomalyDetector.class, AnomalyDetector::of));
        register(new Kind(dev.recur.task.seq2seq.Seq2Seq.TYPE, "a sequence-to-sequence model", "recur seq2seq", dev.recur.task.seq2seq.Seq2Seq.class, dev.recur.task.seq2seq.Seq2Seq::of));
    }

    private Models() {}

    /**
     * One kind of model file.
     *
     * @param type       the "type" in recur.config, e.g. "language_model"
     * @param noun       how messages name it, e.g. "a language model"
     * @param command    the command that uses it, e.g. "recur lm"
     * @param modelClass the class the loader returns
     * @param loader     builds the model, in evaluation mode, from a model file (or a checkpoint's model part)
     */
    public record Kind(String type, String noun, String command, Class<? extends Module> modelClass,
                       Function<ModelFile, ? extends Module> loader) {}

    /** A model opened from {@code file}: its kind, configuration and module; {@code checkpoint} when read from one. */
    public record Opened(Path file, Kind kind, JsonNode config, Module model, boolean checkpoint) {}

    /** Adds (or replaces) a kind of model file. */
    public static void register(Kind kind) {
        KINDS.put(kind.type(), kind);
    }

    /** Every registered kind, in registration order. */
    public static Collection<Kind> kinds() {
        synchronized (KINDS) {
            return java.util.List.copyOf(KINDS.values());
        }
    }

    /** Opens whatever model {@code file} holds; an unknown type is a {@link ModelFormatException} listing the known ones. */
    public static Opened open(Path file) throws IOException {
        SafeTensors contents = SafeTensors.read(file);
        ModelFile model = ModelFile.of(file, contents);
        Kind kind = kindOf(model);
        return new Opened(file, kind, model.config(), quantized(model, kind.loader().apply(model)), Checkpoint.holds(contents));
    }

    /**
     * Opens {@code file} as a model of class {@code type}; a file holding another task's model is a one-line
     * {@link ModelFormatException}, e.g. {@code lstm.safetensors: this is a bare LSTM stack, not a language model;
     * use it with recur encode}.
     */
    public static <M extends Module> M open(Path file, Class<M> type) throws IOException {
        ModelFile model = ModelFile.read(file);
        Kind kind = kindOf(model);
        if (!type.isAssignableFrom(kind.modelClass())) {
            String wanted = kinds().stream().filter(k -> type.isAssignableFrom(k.modelClass())).map(Kind::noun).findFirst()
                    .orElse("a " + type.getSimpleName());
            throw new ModelFormatException(file, "this is " + kind.noun() + ", not " + wanted + "; use it with " + kind.command());
        }
        return type.cast(quantized(model, kind.loader().apply(model)));
    }

    /** Gives a quantized file's weights their stored form (the loader has loaded their dequantized values). */
    private static <M extends Module> M quantized(ModelFile file, M model) {
        if (file.quantization() != null) file.quantization().attach(model, String.valueOf(file.file()));
        return model;
    }

    /**
     * A task's loader, once: builds the model from the file's configuration with {@code build}, loads its tensors
     * and puts it in evaluation mode; a configuration or tensor that does not fit is a {@link ModelFormatException}
     * naming the file, e.g. {@code m.safetensors: recur.config is not a valid classifier configuration: ...}.
     */
    public static <M extends Module> M load(ModelFile file, String what, Function<com.fasterxml.jackson.databind.JsonNode, M> build) {
        String source = String.valueOf(file.file());
        M model;
        try {
            model = build.apply(file.config());
        } catch (RuntimeException e) {
            throw new ModelFormatException(source, "recur.config is not a valid " + what + " configuration: " + e.getMessage(), e);
        }
        try {
            model.loadStateDict(file.tensors());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, e.getMessage(), e);
        }
        model.train(false);
        return model;
    }

    private static Kind kindOf(ModelFile model) {
        String type = model.config().path("type").asText("");
        Kind kind = KINDS.get(type);
        if (kind == null) {
            throw new ModelFormatException(String.valueOf(model.file()), (type.isEmpty() ? "recur.config names no \"type\"" : "unknown model type \"" + type + "\"")
                    + "; Recur reads " + String.join(", ", KINDS.keySet()));
        }
        return kind;
    }
}
