package dev.recur.task.anomaly;

import dev.recur.nn.CellType;
import dev.recur.task.forecast.SeriesSpec;
import java.util.Locale;

/**
 * What an {@link AnomalyDetector} is: the columns it watches (per group), how it scores a row, the rows it was
 * trained and calibrated on, the smoothing of the scores and the threshold rule.
 *
 * @param spec       the value columns (as targets), the time and group columns, gap filling
 * @param context    rows read before the scored row (the forecast's context, the autoencoder's window)
 * @param trainRows  [from, to) within each group: normal rows to learn from
 * @param validRows  [from, to) within each group: normal rows for early stopping and the threshold
 * @param smoothing  span of the exponentially weighted mean of the scores (1: none)
 */
public record AnomalyConfig(SeriesSpec spec, Method method, int context, CellType cell, int hiddenSize, int numLayers, float dropout,
                            int[] trainRows, int[] validRows, int smoothing, ThresholdRule rule) {

    /** How a row is scored. */
    public enum Method {
        /** the error of a one-step forecast from the rows before it */
        FORECAST,
        /** the reconstruction error of an LSTM autoencoder over the window that ends at the row */
        RECONSTRUCTION;

        public String option() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AnomalyConfig {
        trainRows = trainRows.clone();
        validRows = validRows.clone();
        if (context < 2) throw new IllegalArgumentException("the context must be at least 2 rows, got " + context);
        if (smoothing < 1) throw new IllegalArgumentException("the smoothing span must be at least 1, got " + smoothing);
        if (trainRows[0] < 0 || trainRows[1] <= trainRows[0]) throw new IllegalArgumentException("the training rows must be a range A:B with 0 ≤ A < B");
        if (validRows[0] < 0 || validRows[1] <= validRows[0]) throw new IllegalArgumentException("the validation rows must be a range B:C with 0 ≤ B < C");
    }

    @Override
    public int[] trainRows() {
        return trainRows.clone();
    }

    @Override
    public int[] validRows() {
        return validRows.clone();
    }

    public String describe() {
        return method.option() + ", " + cell.name().toLowerCase(Locale.ROOT) + " " + hiddenSize + "×" + numLayers + ", context " + context
                + ", smoothing " + smoothing + ", threshold " + rule;
    }
}
