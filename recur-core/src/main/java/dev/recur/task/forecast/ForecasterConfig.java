package dev.recur.task.forecast;

import dev.recur.nn.CellType;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a {@link Forecaster} is: the series it reads, its window (context and horizon), season, scaling, output head,
 * decoder and recurrent network, and the evaluation split it was trained with.
 *
 * @param context   points the encoder reads before each origin, L
 * @param horizon   points forecast after each origin, H
 * @param season    the seasonal period m (0 for none): the seasonal-naive baseline, and the seasonal-naive value of
 *                  every forecast step is an input of the head
 * @param quantiles the levels a forecast reports besides its mean (the quantile head's levels), in (0, 1), ascending
 * @param decoder   how the H steps are made: all at once or one at a time
 * @param testSize  points at the end of each series held out for the backtest
 * @param validSize points before them for validation
 * @param stride    points between backtest origins
 */
public record ForecasterConfig(SeriesSpec spec, int context, int horizon, int season, Scaling scaling, Head head, float[] quantiles,
                               Decoder decoder, CellType cell, int hiddenSize, int numLayers, float dropout, int testSize, int validSize, int stride) {

    /** How each window is scaled before the encoder reads it; undone on the forecast. */
    public enum Scaling {
        /** divided by the mean absolute value of the context (DeepAR) */
        MEAN_ABS,
        /** centred on the context's mean and divided by its standard deviation */
        STANDARD,
        /** read as given (for data already normalised) */
        NONE,
        /** centred on the context's mean, not divided (for data already standardised, e.g. by the anomaly detector) */
        CENTER
    }

    /** The output head and its training loss. */
    public enum Head {
        /** a point forecast, mean squared error */
        MSE(false),
        /** a point forecast, mean absolute error */
        MAE(false),
        /** a Gaussian per step, negative log-likelihood */
        GAUSSIAN(true),
        /** a Student-t per step, negative log-likelihood */
        STUDENT_T(true),
        /** the quantiles at the configured levels, pinball loss */
        QUANTILE(true);

        final boolean probabilistic;

        Head(boolean probabilistic) {
            this.probabilistic = probabilistic;
        }

        public boolean probabilistic() {
            return probabilistic;
        }

        /** Outputs per step and target. */
        int parameters(int levels) {
            return switch (this) {
                case MSE, MAE -> 1;
                case GAUSSIAN -> 2;
                case STUDENT_T -> 3;
                case QUANTILE -> levels;
            };
        }

        public String option() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** How the H steps of a forecast are made. */
    public enum Decoder {
        /** all at once, by one linear head over the encoder's last state (a direct multi-horizon forecast) */
        DIRECT,
        /** one step at a time, each reading the value before it; probabilistic heads sample paths (DeepAR) */
        AUTOREGRESSIVE;

        public String option() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ForecasterConfig {
        require(decoder != null, "the decoder must be direct or autoregressive, got null");
        require(context >= 1, "the context must be at least 1 point, got " + context);
        require(horizon >= 1, "the horizon must be at least 1 point, got " + horizon);
        require(season >= 0, "the season must be 0 (none) or positive, got " + season);
        require(hiddenSize >= 1 && numLayers >= 1, "the encoder needs a positive hidden size and layer count");
        require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
        require(testSize >= 1, "the test period must hold at least 1 point, got " + testSize);
        require(validSize >= 1, "the validation period must hold at least 1 point, got " + validSize);
        require(stride >= 1, "the stride must be at least 1, got " + stride);
        quantiles = quantiles == null ? new float[0] : quantiles.clone();
        for (int i = 0; i < quantiles.length; i++) {
            require(quantiles[i] > 0 && quantiles[i] < 1, "quantile levels must lie in (0, 1), got " + quantiles[i]);
            require(i == 0 || quantiles[i] > quantiles[i - 1], "quantile levels must be ascending and distinct, got " + Arrays.toString(quantiles));
        }
        require(head != Head.QUANTILE || quantiles.length >= 1, "the quantile head needs at least one level");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** Targets forecast jointly, n. */
    public int targets() {
        return spec.targets().size();
    }

    /** Points of history a window needs up to its origin: the context and, with a season, the season before it (each context point is read with its value a season earlier). */
    public int history() {
        return context + season;
    }

    /** Levels 0.1 and 0.9 among the reported quantiles, so an 80% interval is known. */
    public boolean hasInterval() {
        return indexOf(0.1f) >= 0 && indexOf(0.9f) >= 0;
    }

    int indexOf(float level) {
        for (int i = 0; i < quantiles.length; i++) if (Math.abs(quantiles[i] - level) < 1e-6) return i;
        return -1;
    }

    @Override
    public float[] quantiles() {
        return quantiles.clone();
    }

    /** "lstm 64×2, context 96, horizon 48, season 336, gaussian, mean-abs scaling", then ", autoregressive" for that decoder. */
    public String describe() {
        return cell.name().toLowerCase(Locale.ROOT) + " " + hiddenSize + "×" + numLayers + ", context " + context + ", horizon " + horizon
                + (season > 0 ? ", season " + season : "") + ", " + head.option() + ", " + scaling.name().toLowerCase(Locale.ROOT).replace('_', '-') + " scaling"
                + (decoder == Decoder.AUTOREGRESSIVE ? ", autoregressive" : "");
    }
}
