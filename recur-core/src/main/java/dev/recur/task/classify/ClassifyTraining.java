package dev.recur.task.classify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Variable;
import dev.recur.data.BucketSampler;
import dev.recur.nn.Module;
import dev.recur.task.score.ClassificationScores;
import dev.recur.task.text.TextEncoder;
import dev.recur.tensor.Rng;
import dev.recur.train.Metrics;
import dev.recur.train.Parts;
import dev.recur.train.TrainingTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Trains a {@link Classifier}: batches of texts of similar length in a shuffled order fixed by the seed and epoch
 * ({@link BucketSampler}), mean cross-entropy (weighted per class when class weights are given); validation and
 * test report accuracy (the primary metric, higher is better) and macro F1.
 */
public final class ClassifyTraining implements TrainingTask {
    /** Texts per evaluation batch. */
    static final int EVAL_BATCH = 64;

    private final Classifier model;
    private final Examples train, valid, test;
    private final BucketSampler sampler;
    private final float[] classWeights;

    /**
     * Examples as token lists and label indices into {@code names}: the model's labels, then any label of these
     * examples the model never saw (which it can never predict, so each such example counts as an error).
     */
    record Examples(List<List<String>> tokens, int[] labels, List<String> names) {
        static Examples of(Classifier model, List<LabelledText> texts) {
            var tokens = new ArrayList<List<String>>();
            var names = new ArrayList<>(model.labels());
            int[] labels = new int[texts.size()];
            for (int i = 0; i < texts.size(); i++) {
                LabelledText t = texts.get(i);
                tokens.add(model.tokens(t.text()));
                if (!names.contains(t.label())) names.add(t.label());
                labels[i] = names.indexOf(t.label());
            }
            return new Examples(tokens, labels, names);
        }


        int[] lengths() {
            return tokens.stream().mapToInt(List::size).toArray();
        }
    }

    /**
     * @param classWeights a weight per label (the model's order), or null for plain cross-entropy
     * @param test         null when there is no test split
     */
    public ClassifyTraining(Classifier model, List<LabelledText> train, List<LabelledText> valid, List<LabelledText> test, int batch,
                            float[] classWeights, long seed) {
        this.model = model;
        this.train = Examples.of(model, train);
        this.valid = Examples.of(model, valid);
        this.test = test == null ? null : Examples.of(model, test);
        this.sampler = BucketSampler.shuffled(this.train.lengths(), batch, seed);
        this.classWeights = classWeights;
    }

    /** Weights inversely proportional to each label's frequency in {@code train}, averaging 1 over the examples (scikit-learn's "balanced"). */
    public static float[] balancedWeights(List<String> labels, List<LabelledText> train) {
        int[] counts = new int[labels.size()];
        for (LabelledText t : train) counts[labels.indexOf(t.label())]++;
        float[] w = new float[labels.size()];
        for (int k = 0; k < w.length; k++) w[k] = counts[k] == 0 ? 0f : (float) train.size() / (labels.size() * counts[k]);
        return w;
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

    /** Part k of W: the batch's texts k, k + W, ... ({@link Parts}); its weight is the texts' count, or the sum of their class weights. */
    @Override
    public Batch trainBatch(long index, int part, int parts) {
        return Parts.train(sampler.batch(index), part, parts, this::trainRows);
    }

    /**
     * Trains on the training texts {@code rows}: the mean cross-entropy over the texts, or with class weights the
     * weighted mean (PyTorch's), Σ w[y]·ℓ / Σ w[y]; the weight of the batch is that denominator, the texts' count or
     * the sum of their labels' weights. Texts whose weights sum to 0 have no mean and are not trained (weight 0).
     */
    private Batch trainRows(int[] rows) {
        var tokens = new ArrayList<List<String>>(rows.length);
        int[] labels = new int[rows.length];
        long items = 0;
        for (int i = 0; i < rows.length; i++) {
            tokens.add(train.tokens().get(rows[i]));
            labels[i] = train.labels()[rows[i]];
            items += tokens.get(i).size();
        }
        double weight = rows.length;
        if (classWeights != null) {
            weight = 0;
            for (int label : labels) weight += classWeights[label];
            if (weight == 0) return new Batch(0, items, 0);
        }
        model.train(true);
        Variable loss = model.forward(tokens).logits().crossEntropy(labels, -100, classWeights);
        loss.backward();
        return new Batch(loss.value().item(), items, weight);
    }

    @Override
    public Metrics validate() {
        return scores(valid).toMetrics(ClassificationScores.Primary.ACCURACY);
    }

    @Override
    public Optional<Metrics> test() {
        return test == null ? Optional.empty() : Optional.of(scores(test).toMetrics(ClassificationScores.Primary.ACCURACY));
    }

    /** Scores on the test split (null when there is none). */
    public ClassificationScores testScores() {
        return test == null ? null : scores(test);
    }

    /** Predicts every example, longest first in batches of {@link #EVAL_BATCH}, and scores the predictions. */
    ClassificationScores scores(Examples examples) {
        return ClassificationScores.of(examples.names(), examples.labels(), predict(model, examples.tokens()));
    }

    /**
     * The scores of {@code model} on {@code examples}; an example whose label the model never saw in training
     * counts as an error (that label is listed among the classes, with recall 0).
     */
    public static ClassificationScores score(Classifier model, List<LabelledText> examples) {
        Examples e = Examples.of(model, examples);
        return ClassificationScores.of(e.names(), e.labels(), predict(model, e.tokens()));
    }

    /** How many of {@code examples} have a label {@code model} never saw in training. */
    public static long unseenLabels(Classifier model, List<LabelledText> examples) {
        return examples.stream().filter(t -> !model.labels().contains(t.label())).count();
    }

    /** The predicted label index of each token list, batched by length. */
    static int[] predict(Classifier model, List<List<String>> tokens) {
        return TextEncoder.byLength(tokens, EVAL_BATCH, model::predictTokens).stream().mapToInt(Classifier.Prediction::index).toArray();
    }

    /** ln C: the loss of a uniform guess over the labels. */
    @Override
    public double chanceLoss() {
        return Math.log(model.labels().size());
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
