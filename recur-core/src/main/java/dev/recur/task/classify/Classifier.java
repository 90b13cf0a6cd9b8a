package dev.recur.task.classify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.io.ModelFile;
import dev.recur.nn.AttentionPooling;
import dev.recur.nn.Linear;
import dev.recur.nn.Module;
import dev.recur.nn.Pooling;
import dev.recur.task.Models;
import dev.recur.task.text.TextEncoder;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A text classifier: the shared {@link TextEncoder} (embedding, optional character encoder, BiLSTM/GRU over the
 * variable-length batch), pooling over each text's valid steps (last, mean, max, or additive attention whose
 * weights are returned per token), then a linear layer to one logit per class; softmax gives the probabilities.
 * Parameters: {@code encoder.*}, {@code attention.*} (with attention pooling), {@code head.weight}, {@code head.bias}.
 * <pre>
 * var classifier = Models.open(Path.of("spam.safetensors"), Classifier.class);
 * Classifier.Prediction p = classifier.predict(List.of("WIN A FREE CRUISE")).get(0);   // p.label(): "spam"
 * </pre>
 */
public final class Classifier extends Module {
    public static final String TYPE = "classifier";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClassifierConfig config;
    private final List<String> labels;
    private final Rng rng;
    private final TextEncoder encoder;
    private final AttentionPooling attention;
    private final Linear head;

    /** Draws initial weights and dropout masks from {@code rng}. */
    public Classifier(ClassifierConfig config, TextEncoder encoder, List<String> labels, Rng rng) {
        if (labels.size() < 2) throw new IllegalArgumentException("a classifier needs at least two labels, got " + labels);
        this.config = config;
        this.labels = List.copyOf(labels);
        this.rng = rng;
        this.encoder = register("encoder", encoder);
        int features = config.encoder().outputSize();
        this.attention = config.pooling() == Pooling.ATTENTION ? register("attention", new AttentionPooling(features, config.attention(), rng)) : null;
        this.head = register("head", new Linear(features, labels.size(), rng));
    }

    /** Logits [B, C] and, with attention pooling, the attention (weights per token). */
    public record Output(Variable logits, AttentionPooling.Output attention) {}

    /** Scores a batch of token sequences (each non-empty, at most {@code maxTokens} long). */
    public Output forward(List<List<String>> tokens) {
        TextEncoder.Encoded e = encoder.forward(tokens);
        if (attention != null) {
            AttentionPooling.Output a = attention.forward(e.outputs(), e.lengths());
            return new Output(head.forward(a.pooled()), a);
        }
        return new Output(head.forward(Pooling.pool(e.outputs(), e.lengths(), config.pooling(), config.encoder().directions())), null);
    }

    /** A text's predicted label, every label's probability, its tokens and (with attention pooling) their weights. */
    public record Prediction(String label, int index, float[] probabilities, List<String> tokens, float[] attention) {}

    /** Predicts a batch of texts; nothing is recorded, no dropout. */
    public List<Prediction> predict(List<String> texts) {
        var tokens = new ArrayList<List<String>>();
        for (String text : texts) tokens.add(tokens(text));
        return predictTokens(tokens);
    }

    /** As {@link #predict}, for texts already split by {@link #tokens}. */
    public List<Prediction> predictTokens(List<List<String>> tokens) {
        boolean was = training();
        train(false);
        try (var off = Tape.noGrad()) {
            Output out = forward(tokens);
            Tensor p = out.logits().softmax().value();
            int c = labels.size();
            var result = new ArrayList<Prediction>();
            for (int b = 0; b < tokens.size(); b++) {
                float[] probs = new float[c];
                System.arraycopy(p.data(), p.offset() + b * c, probs, 0, c);
                int best = 0;
                for (int k = 1; k < c; k++) if (probs[k] > probs[best]) best = k;
                result.add(new Prediction(labels.get(best), best, probs, tokens.get(b), out.attention() == null ? null : out.attention().weightsOf(b)));
            }
            return result;
        } finally {
            train(was);
        }
    }

    /** A text's tokens as the classifier reads them: split as its encoder does, cut to {@code maxTokens}; never empty. */
    public List<String> tokens(String text) {
        return tokens(config, text);
    }

    /** A text's tokens for a classifier with {@code config}. */
    public static List<String> tokens(ClassifierConfig config, String text) {
        List<String> all = TextEncoder.tokens(config.encoder(), text);
        if (all.isEmpty()) return List.of(text.isEmpty() ? " " : text.substring(0, 1));
        return all.size() > config.maxTokens() ? all.subList(0, config.maxTokens()) : all;
    }

    public ClassifierConfig config() {
        return config;
    }

    public List<String> labels() {
        return labels;
    }

    public TextEncoder encoder() {
        return encoder;
    }

    /** The generator dropout draws from; its state goes into checkpoints. */
    public Rng rng() {
        return rng;
    }

    /** recur.config: the type, the encoder with its vocabularies, the pooling and the labels. */
    public ObjectNode configJson() {
        ObjectNode c = JSON.createObjectNode().put("type", TYPE);
        encoder.write(c);
        c.put("pooling", config.pooling().name().toLowerCase(Locale.ROOT)).put("attention", config.attention()).put("max_tokens", config.maxTokens());
        labels.forEach(c.putArray("labels")::add);
        return c;
    }

    /** The classifier a model file holds, in evaluation mode; the registry's loader. */
    public static Classifier of(ModelFile file) {
        return Models.load(file, "classifier", c -> {
            var rng = new Rng(0);
            TextEncoder encoder = TextEncoder.read(c, rng);
            var config = new ClassifierConfig(encoder.config(), Pooling.valueOf(c.get("pooling").asText().toUpperCase(Locale.ROOT)),
                    c.get("attention").asInt(), c.get("max_tokens").asInt());
            var labels = new ArrayList<String>();
            c.get("labels").forEach(l -> labels.add(l.asText()));
            return new Classifier(config, encoder, labels, rng);
        });
    }

    @Override
    public String toString() {
        return "Classifier(" + config.describe() + ", " + labels.size() + " labels)";
    }
}
