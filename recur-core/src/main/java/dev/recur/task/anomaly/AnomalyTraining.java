package dev.recur.task.anomaly;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Variable;
import dev.recur.data.BucketSampler;
import dev.recur.data.InvalidDataException;
import dev.recur.nn.Module;
import dev.recur.task.forecast.Series;
import dev.recur.tensor.Rng;
import dev.recur.train.Metrics;
import dev.recur.train.Parts;
import dev.recur.train.TrainingTask;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains an {@link AnomalyDetector} on the training rows of every group (each row's one-step forecast or window
 * reconstruction, in an order shuffled per epoch by the seed); validation is the mean loss on the validation rows.
 */
public final class AnomalyTraining implements TrainingTask {
    private final AnomalyDetector model;
    private final List<Series> trainSeries = new ArrayList<>(), validSeries = new ArrayList<>();
    private final int[] trainRows, validRows;
    private final BucketSampler sampler;

    public AnomalyTraining(AnomalyDetector model, List<Series> series, int batch, long seed, Object source) {
        this.model = model;
        AnomalyConfig c = model.config();
        var train = new ArrayList<Integer>();
        var valid = new ArrayList<Integer>();
        for (Series raw : series) {
            Series s = model.normalise(raw);
            for (int t = Math.max(c.trainRows()[0], model.firstScored()); t < Math.min(s.length(), c.trainRows()[1]); t++) {
                trainSeries.add(s);
                train.add(t);
            }
            for (int t = Math.max(c.validRows()[0], model.firstScored()); t < Math.min(s.length(), c.validRows()[1]); t++) {
                validSeries.add(s);
                valid.add(t);
            }
        }
        if (train.isEmpty() || valid.isEmpty()) {
            throw InvalidDataException.in(source, "no " + (train.isEmpty() ? "training" : "validation") + " rows to use: rows "
                    + (train.isEmpty() ? c.trainRows()[0] + ":" + c.trainRows()[1] : c.validRows()[0] + ":" + c.validRows()[1])
                    + " of each group, after the first " + model.firstScored() + " (the context); the longest group has "
                    + series.stream().mapToInt(Series::length).max().orElse(0) + " rows");
        }
        this.trainRows = train.stream().mapToInt(Integer::intValue).toArray();
        this.validRows = valid.stream().mapToInt(Integer::intValue).toArray();
        int[] lengths = new int[trainRows.length];
        java.util.Arrays.fill(lengths, 1);
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

    /** Training rows over all groups. */
    public int rows() {
        return trainRows.length;
    }

    @Override
    public Batch trainBatch(long index) {
        return trainRows(sampler.batch(index));
    }

    /** Part k of W: the batch's rows k, k + W, ... ({@link Parts}); its weight is its loss's terms. */
    @Override
    public Batch trainBatch(long index, int part, int parts) {
        return Parts.train(sampler.batch(index), part, parts, this::trainRows);
    }

    /**
     * Trains on the training rows {@code picked} (indices into all groups' rows): items are rows, and the weight is
     * the denominator of the loss's mean, {@link AnomalyDetector#lossTerms}.
     */
    private Batch trainRows(int[] picked) {
        var series = new ArrayList<Series>();
        int[] rows = new int[picked.length];
        for (int i = 0; i < picked.length; i++) {
            series.add(trainSeries.get(picked[i]));
            rows[i] = trainRows[picked[i]];
        }
        model.train(true);
        Variable loss = model.loss(series, rows);
        loss.backward();
        return new Batch(loss.value().item(), rows.length, model.lossTerms(rows.length));
    }

    @Override
    public Metrics validate() {
        return Metrics.lower("loss", model.meanLoss(validSeries, validRows));
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
