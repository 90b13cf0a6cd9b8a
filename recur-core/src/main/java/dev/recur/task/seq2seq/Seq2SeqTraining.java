package dev.recur.task.seq2seq;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Variable;
import dev.recur.data.BucketSampler;
import dev.recur.data.Pairs;
import dev.recur.nn.Module;
import dev.recur.task.text.TextEncoder;
import dev.recur.tensor.Rng;
import dev.recur.train.Metrics;
import dev.recur.train.Parts;
import dev.recur.train.TrainingTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Trains a {@link Seq2Seq} model: every pair is an example (alternative references each count), in batches of
 * sources of similar length in a shuffled order fixed by the seed; validation and test decode each distinct source
 * greedily and score the outputs against all of its references ({@link SequenceScores}). The primary metric is
 * chosen by the caller: BLEU for translation, the token error rate for spelling-like tasks.
 */
public final class Seq2SeqTraining implements TrainingTask {
    /** Sources per decoding batch. */
    public static final int DECODE_BATCH = 128;

    private final Seq2Seq model;
    private final int[][] sources, targets;
    private final References valid, test;
    private final String primary;
    private final BucketSampler sampler;
    private SequenceScores testScores;

    /** {@code test} may be null. */
    public Seq2SeqTraining(Seq2Seq model, List<Pairs.Pair> train, References valid, References test, String primary, int batch, long seed) {
        this.model = model;
        this.valid = valid;
        this.test = test;
        this.primary = primary;
        this.sources = new int[train.size()][];
        this.targets = new int[train.size()][];
        int[] lengths = new int[train.size()];
        for (int i = 0; i < train.size(); i++) {
            sources[i] = model.sourceIds(train.get(i).source());
            targets[i] = model.targetIds(train.get(i).target());
            lengths[i] = sources[i].length;
        }
        this.sampler = BucketSampler.shuffled(lengths, batch, seed);
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

    /** Part k of W: the batch's pairs k, k + W, ... ({@link Parts}); its weight is its target tokens. */
    @Override
    public Batch trainBatch(long index, int part, int parts) {
        return Parts.train(sampler.batch(index), part, parts, this::trainRows);
    }

    /**
     * Trains on the training pairs {@code rows}. The loss ({@link Seq2Seq#loss}) is the label-smoothed cross-entropy's
     * mean over the target tokens, each target's symbols and its {@code </s>} (smoothing changes each token's term,
     * not the count), so the weight of the batch, the denominator, is Σ (target length + 1), its items.
     */
    private Batch trainRows(int[] rows) {
        var src = new ArrayList<int[]>(rows.length);
        var tgt = new ArrayList<int[]>(rows.length);
        long items = 0;
        for (int r : rows) {
            src.add(sources[r]);
            tgt.add(targets[r]);
            items += targets[r].length + 1;
        }
        model.train(true);
        Variable loss = model.loss(src, tgt);
        loss.backward();
        return new Batch(loss.value().item(), items);
    }

    @Override
    public Metrics validate() {
        return score(model, valid, Search.Options.greedy()).toMetrics(primary);
    }

    @Override
    public Optional<Metrics> test() {
        if (test == null) return Optional.empty();
        testScores = score(model, test, Search.Options.greedy());
        return Optional.of(testScores.toMetrics(primary));
    }

    /** The scores of the last {@link #test()} (greedy decoding), or null. */
    public SequenceScores testScores() {
        return testScores;
    }

    /** Decodes every source with {@code options} and scores the best outputs. */
    public static SequenceScores score(Seq2Seq model, References data, Search.Options options) {
        var outputs = translate(model, data.sources(), options).stream().map(r -> model.targetText(r.best().tokens())).toList();
        return SequenceScores.of(outputs, data.references(), model.targetSide().unit() == Unit.CHAR);
    }

    /** The results of every source, decoded in batches of {@link #DECODE_BATCH} sources of similar length. */
    public static List<Search.Result> translate(Seq2Seq model, List<String> lines, Search.Options options) {
        var ids = lines.stream().map(model::sourceIds).toList();
        return TextEncoder.byLength(ids, x -> x.length, Math.max(1, DECODE_BATCH / options.beam()), part -> Search.run(model, part, options));
    }

    /** ln V: the loss per token of a uniform guess over the target symbols. */
    @Override
    public double chanceLoss() {
        return Math.log(model.targetVocabulary().size());
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
