package dev.recur.task.lm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Variable;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.io.ModelFile;
import dev.recur.io.ModelFormatException;
import dev.recur.nn.CellType;
import dev.recur.nn.Dropout;
import dev.recur.nn.Embedding;
import dev.recur.nn.Lengths;
import dev.recur.nn.Linear;
import dev.recur.nn.Module;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentOutput;
import dev.recur.nn.RecurrentState;
import dev.recur.nn.Stepper;
import dev.recur.task.Models;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A recurrent language model: embedding → dropout → stacked RNN/LSTM/GRU (dropout between layers) → dropout →
 * linear decoder to logits over the vocabulary. Parameter names follow PyTorch's word_language_model example:
 * {@code encoder.weight}, {@code rnn.weight_ih_l0} ..., {@code decoder.weight}, {@code decoder.bias}.
 * <pre>
 * var lm = new LanguageModel(config, vocabulary, new Rng(1));
 * var out = lm.forward(ids, T, B, null);      // logits [T, B, V] and the state to carry on
 * </pre>
 */
public final class LanguageModel extends Module {
    public static final String TYPE = "language_model";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LanguageModelConfig config;
    private final Vocabulary vocabulary;
    private final Rng rng;
    private final Embedding encoder;
    private final Dropout dropout;
    private final Recurrent rnn;
    private final Linear decoder;

    /** Draws initial weights and, later, dropout masks from {@code rng}. */
    public LanguageModel(LanguageModelConfig config, Vocabulary vocabulary, Rng rng) {
        this.config = config;
        this.vocabulary = vocabulary;
        this.rng = rng;
        this.encoder = register("encoder", new Embedding(vocabulary.size(), config.embed(), rng));
        this.dropout = register("drop", new Dropout(config.dropout(), rng));
        var rc = RecurrentConfig.of(config.cell(), config.embed(), config.hidden()).withLayers(config.layers())
                .withDropout(config.layers() > 1 ? config.dropout() : 0f);
        this.rnn = register("rnn", Recurrent.of(rc, rng));
        this.decoder = register("decoder", new Linear(config.hidden(), vocabulary.size(), rng));
    }

    /** Logits [T, B, V] and the final state. */
    public record Output(Variable logits, RecurrentState state) {}

    /** Runs token ids {@code ids[t·B + b]} (time-major) from {@code state} (null: zeros). */
    public Output forward(int[] ids, int steps, int batch, RecurrentState state) {
        Variable x = dropout.forward(encoder.forward(ids, steps, batch));
        RecurrentOutput r = rnn.forward(x, state);
        Variable logits = decoder.forward(dropout.forward(r.output()));
        return new Output(logits, r.state());
    }

    /**
     * As {@link #forward(int[], int, int, RecurrentState)} for sequences of different lengths, padded to the
     * longest ({@code ids[t·B + b]}, B = {@code lengths.size()}): past its length a sequence's state is carried
     * unchanged, and its logits there are to be ignored.
     */
    public Output forward(int[] ids, Lengths lengths, RecurrentState state) {
        Variable x = dropout.forward(encoder.forward(ids, lengths.max(), lengths.size()));
        RecurrentOutput r = rnn.forward(x, lengths, state);
        Variable logits = decoder.forward(dropout.forward(r.output()));
        return new Output(logits, r.state());
    }

    /** One step of inference for a batch of tokens: logits [B, V] and the next state. Records nothing. */
    public Output step(int[] ids, RecurrentState state) {
        return step(ids, state, null);
    }

    /**
     * A snapshot of the recurrent stack for fast generation ({@link Recurrent#stepper()}), to pass to
     * {@link #step(int[], RecurrentState, Stepper)} for as long as the weights do not change.
     */
    public Stepper stepper() {
        return rnn.stepper();
    }

    /** As {@link #step(int[], RecurrentState)}, the recurrent stack run by {@code stepper} (null: the live module). */
    public Output step(int[] ids, RecurrentState state, Stepper stepper) {
        try (var off = dev.recur.autograd.Tape.noGrad()) {
            Tensor table = encoder.weight().value();
            int e = config.embed();
            Tensor x = Tensor.zeros(ids.length, e);
            for (int b = 0; b < ids.length; b++) {
                System.arraycopy(table.data(), table.offset() + ids[b] * e, x.data(), b * e, e);
            }
            RecurrentOutput r = stepper != null ? stepper.step(x, state) : rnn.step(x, state);
            return new Output(decoder.forward(r.output()), r.state());
        }
    }

    public RecurrentState zeroState(int batch) {
        return rnn.zeroState(batch);
    }

    public LanguageModelConfig config() {
        return config;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The generator dropout draws from; its state goes into checkpoints. */
    public Rng rng() {
        return rng;
    }

    // ---- model files ----

    /** Writes weights, configuration and vocabulary to one file, atomically. */
    public void save(Path file) throws IOException {
        ModelFile.write(file, configJson(), stateDict());
    }

    public ObjectNode configJson() {
        ObjectNode c = JSON.createObjectNode().put("type", TYPE).put("tokens", config.tokens().name().toLowerCase())
                .put("cell", config.cell().name().toLowerCase()).put("embed", config.embed()).put("hidden", config.hidden())
                .put("layers", config.layers()).put("dropout", config.dropout());
        var symbols = c.putArray("vocabulary");
        vocabulary.symbols().forEach(symbols::add);
        return c;
    }

    /** Reads a model written by {@link #save}, or the model inside a training checkpoint, in evaluation mode. */
    public static LanguageModel load(Path file) throws IOException {
        return Models.open(file, LanguageModel.class);
    }

    /** A model file's language model, in evaluation mode; the registry's loader. */
    public static LanguageModel of(ModelFile file) {
        LanguageModel lm = of(String.valueOf(file.file()), file.config(), file.tensors());
        lm.train(false);
        return lm;
    }

    /**
     * A model from its stored configuration and weights (e.g. read from a checkpoint); {@code source} names where
     * they came from in error messages. The model is in training mode.
     */
    public static LanguageModel of(String source, JsonNode c, Map<String, Tensor> weights) {
        String type = c.path("type").asText("");
        if (!type.equals(TYPE)) {
            throw new ModelFormatException(source, "this is " + (type.isEmpty() ? "a model without a type" : "a " + type + " model")
                    + ", not a language model; train one with `recur lm train`");
        }
        LanguageModelConfig config;
        Vocabulary vocabulary;
        try {
            config = new LanguageModelConfig(Tokenizer.valueOf(c.get("tokens").asText().toUpperCase()),
                    CellType.valueOf(c.get("cell").asText().toUpperCase()), c.get("embed").asInt(), c.get("hidden").asInt(),
                    c.get("layers").asInt(), (float) c.get("dropout").asDouble());
            List<String> symbols = new ArrayList<>();
            c.get("vocabulary").forEach(s -> symbols.add(s.asText()));
            vocabulary = Vocabulary.of(symbols);
        } catch (RuntimeException e) {
            throw new ModelFormatException(source, "recur.config is not a valid language-model configuration: " + e.getMessage(), e);
        }
        var lm = new LanguageModel(config, vocabulary, new Rng(0));
        try {
            lm.loadStateDict(weights);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, e.getMessage(), e);
        }
        return lm;
    }

    @Override
    public String toString() {
        return "LanguageModel(" + config.describe() + ", vocabulary " + vocabulary.size() + ")";
    }
}
