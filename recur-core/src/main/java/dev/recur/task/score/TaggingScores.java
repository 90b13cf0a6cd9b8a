package dev.recur.task.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.train.Metrics;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Predicate;

/**
 * How well predicted tags match gold ones over a tagged corpus: token accuracy, overall and on the tokens unknown to
 * the model (unseen in training), and, when the tags mark chunks, exact-match chunk scores ({@link SpanScores}).
 * <pre>
 * accuracy         = (tokens whose predicted tag equals the gold tag) / (tokens)
 * unknown accuracy = the same over the tokens for which known.test(token) is false; undefined when there are none
 * </pre>
 * Accuracy equals conlleval's "accuracy" (tags compared whole). For part-of-speech tags (scheme NONE) accuracy is the
 * score; for chunk tags, span F1.
 * <pre>
 * var s = TaggingScores.of(TagScheme.BIO, tokens, gold, predicted, trainingWords::contains);
 * s.accuracy()          // 0.951
 * s.unknownAccuracy()   // OptionalDouble[0.712]
 * s.toMetrics()         // f1 0.873 (higher is better), precision ..., recall ..., accuracy 0.951, unknown_accuracy 0.712
 * </pre>
 */
public final class TaggingScores {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long tokens, correct, unknownTokens, unknownCorrect;
    private final SpanScores spans;   // null when the scheme marks no chunks

    private TaggingScores(long tokens, long correct, long unknownTokens, long unknownCorrect, SpanScores spans) {
        this.tokens = tokens;
        this.correct = correct;
        this.unknownTokens = unknownTokens;
        this.unknownCorrect = unknownCorrect;
        this.spans = spans;
    }

    /**
     * Scores a corpus, sentence by sentence.
     *
     * @param scheme    how the tags mark chunks; NONE scores tokens only
     * @param tokens    the words of each sentence
     * @param gold      the gold tag of each word
     * @param predicted the predicted tag of each word
     * @param known     true for the words seen in training, e.g. {@code vocabulary::contains}
     * @throws IllegalArgumentException when the three corpora do not line up, or hold no token
     */
    public static TaggingScores of(TagScheme scheme, List<? extends List<String>> tokens, List<? extends List<String>> gold,
                                   List<? extends List<String>> predicted, Predicate<String> known) {
        Sentences.requireAligned("tokens", tokens, "gold tags", gold);
        Sentences.requireAligned("gold tags", gold, "predicted tags", predicted);
        long n = 0, correct = 0, unknown = 0, unknownCorrect = 0;
        for (int s = 0; s < tokens.size(); s++) {
            for (int t = 0; t < tokens.get(s).size(); t++) {
                boolean right = gold.get(s).get(t).equals(predicted.get(s).get(t));
                n++;
                if (right) correct++;
                if (!known.test(tokens.get(s).get(t))) {
                    unknown++;
                    if (right) unknownCorrect++;
                }
            }
        }
        if (n == 0) throw new IllegalArgumentException("no tokens to score");
        return new TaggingScores(n, correct, unknown, unknownCorrect, scheme.hasSpans() ? SpanScores.of(gold, predicted) : null);
    }

    /** N, the number of tokens scored. */
    public long tokens() {
        return tokens;
    }

    /** The fraction of tokens tagged right. */
    public double accuracy() {
        return (double) correct / tokens;
    }

    /** The number of tokens unknown to the model. */
    public long unknownTokens() {
        return unknownTokens;
    }

    /** The fraction of unknown tokens tagged right; empty when every token is known. */
    public OptionalDouble unknownAccuracy() {
        return unknownTokens == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) unknownCorrect / unknownTokens);
    }

    /** The chunk scores; empty under scheme NONE. */
    public Optional<SpanScores> spans() {
        return Optional.ofNullable(spans);
    }

    /**
     * For the trainer, higher being better: span "f1" first, then "precision", "recall", "accuracy" when the tags mark
     * chunks; else "accuracy" first. Then "unknown_accuracy" when there are unknown tokens.
     */
    public Metrics toMetrics() {
        Metrics m = spans == null ? Metrics.higher("accuracy", accuracy())
                : Metrics.higher("f1", spans.f1()).with("precision", spans.precision()).with("recall", spans.recall())
                        .with("accuracy", accuracy());
        return unknownTokens == 0 ? m : m.with("unknown_accuracy", unknownAccuracy().getAsDouble());
    }

    /**
     * The report as {@code recur tag eval --json} prints it; "unknown_accuracy" is null when every token is known,
     * "spans" absent under scheme NONE:
     * <pre>
     * {"tokens": 51362, "accuracy": 0.968, "unknown_accuracy": 0.812, "spans": {"precision": 0.823, "recall": 0.848, "f1": 0.836}}
     * </pre>
     */
    public ObjectNode toJson() {
        ObjectNode json = JSON.createObjectNode().put("tokens", tokens).put("accuracy", accuracy());
        if (unknownTokens == 0) json.putNull("unknown_accuracy");
        else json.put("unknown_accuracy", unknownAccuracy().getAsDouble());
        if (spans != null) json.set("spans", spans.toJson());
        return json;
    }

    /** "accuracy 0.9510 (unknown 0.7120) over 51362 tokens; spans precision ..., recall ..., F1 ...". */
    @Override
    public String toString() {
        String unknown = unknownTokens == 0 ? "" : String.format(" (unknown %.4f)", unknownAccuracy().getAsDouble());
        return String.format("accuracy %.4f%s over %d tokens", accuracy(), unknown, tokens) + (spans == null ? "" : "; spans " + spans);
    }
}
