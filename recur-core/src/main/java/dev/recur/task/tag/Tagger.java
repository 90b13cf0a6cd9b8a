package dev.recur.task.tag;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.data.StreamBatches;
import dev.recur.io.ModelFile;
import dev.recur.nn.Crf;
import dev.recur.nn.Linear;
import dev.recur.nn.Module;
import dev.recur.task.Models;
import dev.recur.task.score.TagScheme;
import dev.recur.task.text.TextEncoder;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A sequence tagger: the shared {@link TextEncoder} over the tokens, a linear layer to one score per tag and token
 * (the emissions), then either a softmax per token or a linear-chain {@link Crf} over the sentence. With BIO, IOB or
 * BIOES tags (the scheme is found in the training data) the CRF's decoding never produces an invalid transition
 * (such as O → I-X under BIO). Parameters:
 * {@code encoder.*}, {@code emissions.weight}, {@code emissions.bias}, and {@code crf.*} with a CRF.
 * <pre>
 * var tagger = Models.open(Path.of("pos.safetensors"), Tagger.class);
 * List&lt;String&gt; tags = tagger.predict(List.of(List.of("The", "cat", "sat"))).get(0);   // [at, nn, vbd]
 * </pre>
 */
public final class Tagger extends Module {
    public static final String TYPE = "tagger";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TaggerConfig config;
    private final List<String> tags;
    private final TagScheme scheme;
    private final Rng rng;
    private final TextEncoder encoder;
    private final Linear emissions;
    private final Crf crf;

    /** Draws initial weights and dropout masks from {@code rng}. */
    public Tagger(TaggerConfig config, TextEncoder encoder, List<String> tags, TagScheme scheme, Rng rng) {
        this.config = config;
        this.tags = List.copyOf(tags);
        this.scheme = scheme;
        this.rng = rng;
        this.encoder = register("encoder", encoder);
        this.emissions = register("emissions", new Linear(config.encoder().outputSize(), tags.size(), rng));
        if (config.head() == TaggerConfig.Head.CRF) {
            Crf c = register("crf", new Crf(tags.size(), rng));
            var allowed = scheme.transitions(tags);
            this.crf = scheme.hasSpans() ? c.withConstraints(allowed.allowed(), allowed.allowedStart(), allowed.allowedEnd()) : c;
        } else {
            this.crf = null;
        }
    }

    /** Emission scores [T, B, K] of a batch and its lengths. */
    private record Scores(Variable emissions, dev.recur.nn.Lengths lengths) {}

    private Scores scores(List<List<String>> sentences) {
        TextEncoder.Encoded e = encoder.forward(sentences);
        return new Scores(emissions.forward(e.outputs()), e.lengths());
    }

    /**
     * The training loss of a batch per token: the mean cross-entropy over its tokens (softmax head), or the
     * negative log-likelihood of the sentences' tags divided by their tokens (CRF), so that batches of long and
     * short sentences weigh alike. {@code gold[b][t]} is the index of token t's tag.
     */
    public Variable loss(List<List<String>> sentences, int[][] gold) {
        Scores s = scores(sentences);
        int t = s.emissions().value().dim(0), b = sentences.size();
        int[] targets = new int[t * b];
        java.util.Arrays.fill(targets, StreamBatches.IGNORE);
        for (int i = 0; i < b; i++) for (int k = 0; k < gold[i].length; k++) targets[k * b + i] = gold[i][k];
        if (crf != null) {
            int tokens = 0;
            for (int[] g : gold) tokens += g.length;
            return crf.negativeLogLikelihood(s.emissions(), targets, s.lengths()).mul((float) b / tokens);   // the mean over sentences, per token
        }
        return s.emissions().reshape(t * b, tags.size()).crossEntropy(targets, StreamBatches.IGNORE);
    }

    /** The tag indices of each sentence (Viterbi with a CRF, the best tag per token otherwise); nothing recorded. */
    public int[][] predictIndices(List<List<String>> sentences) {
        boolean was = training();
        train(false);
        try (var off = Tape.noGrad()) {
            Scores s = scores(sentences);
            if (crf != null) return crf.decode(s.emissions().value(), s.lengths());
            Tensor e = s.emissions().value();
            int b = sentences.size(), k = tags.size();
            int[][] best = new int[b][];
            for (int i = 0; i < b; i++) {
                best[i] = new int[sentences.get(i).size()];
                for (int t = 0; t < best[i].length; t++) {
                    int row = e.offset() + (t * b + i) * k, arg = 0;
                    for (int j = 1; j < k; j++) if (e.data()[row + j] > e.data()[row + arg]) arg = j;
                    best[i][t] = arg;
                }
            }
            return best;
        } finally {
            train(was);
        }
    }

    /** The tags of each sentence. */
    public List<List<String>> predict(List<List<String>> sentences) {
        var result = new ArrayList<List<String>>();
        for (int[] path : predictIndices(sentences)) {
            var names = new ArrayList<String>(path.length);
            for (int k : path) names.add(tags.get(k));
            result.add(names);
        }
        return result;
    }

    public TaggerConfig config() {
        return config;
    }

    public List<String> tags() {
        return tags;
    }

    public TagScheme scheme() {
        return scheme;
    }

    public TextEncoder encoder() {
        return encoder;
    }

    /** The generator dropout draws from; its state goes into checkpoints. */
    public Rng rng() {
        return rng;
    }

    public ObjectNode configJson() {
        ObjectNode c = JSON.createObjectNode().put("type", TYPE);
        encoder.write(c);
        c.put("head", config.head().name().toLowerCase(Locale.ROOT)).put("scheme", scheme.name().toLowerCase(Locale.ROOT));
        tags.forEach(c.putArray("tags")::add);
        return c;
    }

    /** The tagger a model file holds, in evaluation mode; the registry's loader. */
    public static Tagger of(ModelFile file) {
        return Models.load(file, "tagger", c -> {
            var rng = new Rng(0);
            TextEncoder encoder = TextEncoder.read(c, rng);
            var tags = new ArrayList<String>();
            c.get("tags").forEach(t -> tags.add(t.asText()));
            var config = new TaggerConfig(encoder.config(), TaggerConfig.Head.valueOf(c.get("head").asText().toUpperCase(Locale.ROOT)));
            return new Tagger(config, encoder, tags, TagScheme.parse(c.get("scheme").asText()), rng);
        });
    }

    @Override
    public String toString() {
        return "Tagger(" + config.encoder().describe() + ", " + config.head().name().toLowerCase(Locale.ROOT) + ", " + tags.size() + " tags)";
    }
}
