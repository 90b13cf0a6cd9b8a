package dev.recur.task.forecast;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Variable;
import dev.recur.data.BucketSampler;
import dev.recur.data.InvalidDataException;
import dev.recur.nn.Module;
import dev.recur.tensor.Rng;
import dev.recur.train.Metrics;
import dev.recur.train.Parts;
import dev.recur.train.TrainingTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Trains a {@link Forecaster} on every series at once: the last {@code testSize} points of each series are the test
 * period, the {@code validSize} before them validation, the rest training. A batch is a set of windows whose
 * origin and next H points lie in the training part, drawn in an order shuffled per epoch by the seed ({@link BucketSampler}); validation
 * is a backtest of the validation period on the series cut before their test period, with MASE the primary metric.
 */
public final class ForecastTraining implements TrainingTask {
    private final Forecaster model;
    private final List<Series> series, beforeTest;
    private final List<Forecaster.Window> windows = new ArrayList<>();
    private final BucketSampler sampler;

    /**
     * @param source names the data in messages, e.g. the file
     */
    public ForecastTraining(Forecaster model, List<Series> series, int batch, long seed, Object source) {
        ForecasterConfig c = model.config();
        this.model = model;
        this.series = series;
        this.beforeTest = new ArrayList<>();
        for (Series s : series) {
            int end = trainEnd(c, s);
            int needed = c.history() + c.horizon() + c.validSize() + c.testSize();
            if (end - c.horizon() < c.history()) {
                if (series.size() == 1) {
                    throw InvalidDataException.in(source, "too few points: " + s.length() + " in " + s.describe(c.spec().groupColumn()) + ", and training needs at least "
                            + needed + " (context and season " + c.history() + " + horizon " + c.horizon() + " + validation " + c.validSize() + " + test " + c.testSize()
                            + "); shorten --context, --horizon, --valid-size or --test-size");
                }
            }
            for (int o = c.history() - 1; o + c.horizon() < end; o++) windows.add(new Forecaster.Window(s, o));
            beforeTest.add(s.head(s.length() - c.testSize()));
        }
        if (windows.isEmpty()) {
            throw InvalidDataException.in(source, "too few points: no series has " + (c.history() + c.horizon() + c.validSize() + c.testSize())
                    + " (context and season " + c.history() + " + horizon + validation + test); shorten --context, --horizon, --valid-size or --test-size");
        }
        int[] lengths = new int[windows.size()];
        java.util.Arrays.fill(lengths, 1);
        this.sampler = BucketSampler.shuffled(lengths, batch, seed);
        for (int k = 0; k < c.targets(); k++) {
            if (constant(k, c)) {
                throw InvalidDataException.in(source, "target \"" + c.spec().targets().get(k) + "\" never changes in the training points"
                        + "; there is nothing to forecast (every value is " + series.get(0).value(k, 0) + ")");
            }
        }
    }

    /** The first point after the training part of {@code s}. */
    static int trainEnd(ForecasterConfig c, Series s) {
        return s.length() - c.testSize() - c.validSize();
    }

    /** Where each series' training part ends, for {@link Forecaster.Normalisation#of}. */
    public static int[] trainEnds(ForecasterConfig c, List<Series> series) {
        return series.stream().mapToInt(s -> Math.max(0, trainEnd(c, s))).toArray();
    }

    private boolean constant(int k, ForecasterConfig c) {
        for (Series s : series) {
            int end = Math.max(1, trainEnd(c, s));
            for (int t = 1; t < end; t++) if (s.value(k, t) != s.value(k, 0)) return false;
        }
        return true;
    }

    @Override
    public Module model() {
        return model;
    }

    @Override
    public ObjectNode modelConfig() {
        return model.configJson();
    }

    /** Training windows (one per origin in the training part of every series). */
    public int windows() {
        return windows.size();
    }

    @Override
    public Batch trainBatch(long index) {
        return trainRows(sampler.batch(index));
    }

    /** Part k of W: the batch's windows k, k + W, ... ({@link Parts}); its weight is its loss's terms. */
    @Override
    public Batch trainBatch(long index, int part, int parts) {
        return Parts.train(sampler.batch(index), part, parts, this::trainRows);
    }

    /**
     * Trains on the training windows {@code rows}: items are windows × horizon, and the weight is the denominator of
     * the loss's mean, {@link Forecaster#lossTerms} (windows × steps × targets, × quantiles for the pinball loss).
     */
    private Batch trainRows(int[] rows) {
        var picked = new ArrayList<Forecaster.Window>();
        for (int i : rows) picked.add(windows.get(i));
        model.train(true);
        Variable loss = model.loss(picked);
        loss.backward();
        return new Batch(loss.value().item(), (long) picked.size() * model.config().horizon(), model.lossTerms(picked.size()));
    }

    @Override
    public Metrics validate() {
        ForecasterConfig c = model.config();
        return Backtest.run(model, beforeTest, c.validSize(), c.stride(), c.season()).metrics();
    }

    @Override
    public Optional<Metrics> test() {
        return Optional.of(testResult().metrics());
    }

    /** Calibrates the model's intervals on the validation period ({@link Forecaster#calibrateIntervals}); returns the spread. */
    public double calibrateIntervals() {
        ForecasterConfig c = model.config();
        return model.calibrateIntervals(beforeTest, c.validSize(), c.stride());
    }

    /** The backtest of the test period. */
    public Backtest.Result testResult() {
        ForecasterConfig c = model.config();
        return Backtest.run(model, series, c.testSize(), c.stride(), c.season());
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
