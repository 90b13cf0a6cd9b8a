package dev.recur.task.tag;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Variable;
import dev.recur.data.BucketSampler;
import dev.recur.nn.Module;
import dev.recur.task.score.TaggingScores;
import dev.recur.task.text.TextEncoder;
import dev.recur.tensor.Rng;
import dev.recur.train.Metrics;
import dev.recur.train.Parts;
import dev.recur.train.TrainingTask;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Trains a {@link Tagger}: batches of sentences of similar length in a shuffled order fixed by the seed and epoch;
 * validation and test report token accuracy, accuracy on words never seen in training and, when the tags mark
 * spans (BIO, IOB, BIOES), span precision, recall and F1 with conlleval's exact-match rules. The primary metric
 * is span F1 when there are spans, else accuracy (higher is better).
 */
public final class TagTraining implements TrainingTask {
    /** Sentences per evaluation batch. */
    static final int EVAL_BATCH = 64;

    private final Tagger model;
    private final List<TaggedSentence> train, valid, test;
    private final int[][] trainTags;
    private final Set<String> seen = new HashSet<>();
    private final BucketSampler sampler;
    private TaggingScores testScores;

    /** {@code test} is null when there is no test split. */
    public TagTraining(Tagger model, List<TaggedSentence> train, List<TaggedSentence> valid, List<TaggedSentence> test, int batch, long seed) {
        this.model = model;
        this.train = train;
        this.valid = valid;
        this.test = test;
        this.trainTags = new int[train.size()][];
        for (int i = 0; i < train.size(); i++) {
            TaggedSentence s = train.get(i);
            seen.addAll(s.tokens());
            trainTags[i] = s.tags().stream().mapToInt(t -> model.tags().indexOf(t)).toArray();
        }
        this.sampler = BucketSampler.shuffled(train.stream().mapToInt(s -> s.tokens().size()).toArray(), batch, seed);
    }

    @Override
    public Module model() {
        return model;
    }

    @Override
    public ObjectNode modelConfig() {
        return model.configJson();
    }

    @Override
    public Batch trainBatch(long index) {
        return trainRows(sampler.batch(index));
    }

    /** Part k of W: the batch's sentences k, k + W, ... ({@link Parts}); its weight is its tokens. */
    @Override
    public Batch trainBatch(long index, int part, int parts) {
        return Parts.train(sampler.batch(index), part, parts, this::trainRows);
    }

    /**
     * Trains on the training sentences {@code rows}. The loss is per token with either head ({@link Tagger#loss}):
     * the softmax head's mean cross-entropy over the tokens, the CRF's negative log-likelihood summed over the
     * sentences and divided by their tokens; so the weight of the batch, the denominator, is its tokens.
     */
    private Batch trainRows(int[] rows) {
        var tokens = new ArrayList<List<String>>(rows.length);
        int[][] gold = new int[rows.length][];
        long items = 0;
        for (int i = 0; i < rows.length; i++) {
            tokens.add(train.get(rows[i]).tokens());
            gold[i] = trainTags[rows[i]];
            items += gold[i].length;
        }
        model.train(true);
        Variable loss = model.loss(tokens, gold);
        loss.backward();
        return new Batch(loss.value().item(), items);
    }

    @Override
    public Metrics validate() {
        return score(model, valid, seen::contains).toMetrics();
    }

    @Override
    public Optional<Metrics> test() {
        if (test == null) return Optional.empty();
        testScores = score(model, test, seen::contains);
        return Optional.of(testScores.toMetrics());
    }

    /**
     * The scores of the last {@link #test()} (null before it, or without a test split); unknown words are those
     * not in the training sentences.
     */
    public TaggingScores testScores() {
        return testScores;
    }

    /**
     * Tags every sentence, longest first in batches of {@link #EVAL_BATCH}, and scores the tags; a gold tag the
     * model does not know is simply never predicted, so it counts as an error.
     */
    public static TaggingScores score(Tagger model, List<TaggedSentence> sentences, Predicate<String> known) {
        var tokens = sentences.stream().map(TaggedSentence::tokens).toList();
        var gold = sentences.stream().map(TaggedSentence::tags).toList();
        return TaggingScores.of(model.scheme(), tokens, gold, predict(model, tokens), known);
    }

    /** The predicted tags of each sentence, batched by length. */
    public static List<List<String>> predict(Tagger model, List<List<String>> sentences) {
        return TextEncoder.byLength(sentences, EVAL_BATCH, model::predict);
    }

    /** ln K: the loss per token of a uniform guess over the tags (for the CRF too, whose loss is per token). */
    @Override
    public double chanceLoss() {
        return Math.log(model.tags().size());
    }

    @Override
    public long batchesPerEpoch() {
        return sampler.batches();
    }

    @Override
    public Rng rng() {
        return model.rng();
    }
}
