package dev.recur.task.forecast;

import dev.recur.train.Metrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rolling-origin backtest over a period at the end of each series, without refitting: from every origin (the last
 * observed point; the first is the point just before the period, then every {@code stride} points) the model
 * forecasts the next H points from the data up to the origin, and every (origin, step) pair inside the period is
 * scored, beside the naive forecast (the origin's value) and the seasonal-naive one (the value a whole number of
 * seasons before, from before the origin) on exactly the same pairs.
 * <pre>
 * Backtest.Result r = Backtest.run(model, series, 67, 1, 11);   // sunspots: the last 67 years, one step ahead
 * r.model().mse();  r.naive().mape();
 * </pre>
 */
public final class Backtest {
    /** Windows forecast at once. */
    static final int BATCH = 256;

    private Backtest() {}

    /**
     * Every pair of one target: what happened and what each forecaster said.
     *
     * @param scale the MASE denominator of the pair's series: the mean absolute seasonal difference (lag m, or 1
     *              without a season) over the points before the period
     */
    record Pairs(float[] actual, float[] mean, float[] naive, float[] seasonal, float[] scale, float[][] quantiles) {}

    /**
     * Scores of one forecaster on one target (or the mean over targets): MAE, RMSE, MSE, MAPE and sMAPE in percent
     * (MAPE over the pairs whose actual value is not 0), MASE; coverage of the 80% interval and the weighted
     * quantile loss for a probabilistic model, else NaN.
     */
    public record Scores(double mae, double rmse, double mse, double mape, double smape, double mase, double coverage80, double quantileLoss) {

        static Scores of(float[] actual, float[] predicted, float[] scale, float[][] quantiles, float[] levels, int lower, int upper) {
            double abs = 0, sq = 0, ape = 0, sape = 0, ase = 0, absActual = 0;
            int apeCount = 0, aseCount = 0, covered = 0;
            for (int i = 0; i < actual.length; i++) {
                double y = actual[i], e = predicted[i] - y;
                abs += Math.abs(e);
                sq += e * e;
                absActual += Math.abs(y);
                if (y != 0) {
                    ape += Math.abs(e / y);
                    apeCount++;
                }
                double denominator = Math.abs(y) + Math.abs(predicted[i]);
                if (denominator > 0) sape += 2 * Math.abs(e) / denominator;
                if (scale[i] > 0) {
                    ase += Math.abs(e) / scale[i];
                    aseCount++;
                }
                if (lower >= 0 && y >= quantiles[lower][i] && y <= quantiles[upper][i]) covered++;
            }
            int n = actual.length;
            double ql = Double.NaN;
            if (quantiles != null && quantiles.length > 0) {
                double pinball = 0;
                for (int q = 0; q < levels.length; q++) {
                    for (int i = 0; i < n; i++) {
                        double d = actual[i] - quantiles[q][i];
                        pinball += Math.max(levels[q] * d, (levels[q] - 1) * d);
                    }
                }
                ql = absActual > 0 ? 2 * pinball / levels.length / absActual : Double.NaN;
            }
            return new Scores(abs / n, Math.sqrt(sq / n), sq / n, apeCount == 0 ? Double.NaN : 100 * ape / apeCount, 100 * sape / n,
                    aseCount == 0 ? Double.NaN : ase / aseCount, lower >= 0 ? covered / (double) n : Double.NaN, ql);
        }

        static Scores mean(List<Scores> all) {
            double[] v = new double[8];
            for (Scores s : all) {
                double[] x = {s.mae, s.rmse, s.mse, s.mape, s.smape, s.mase, s.coverage80, s.quantileLoss};
                for (int i = 0; i < 8; i++) v[i] += x[i] / all.size();
            }
            return new Scores(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
        }

        /** The values by name, NaN ones left out: mae, rmse, mse, mape, smape, mase, coverage_80, quantile_loss. */
        public Map<String, Double> values() {
            var m = new LinkedHashMap<String, Double>();
            String[] names = {"mae", "rmse", "mse", "mape", "smape", "mase", "coverage_80", "quantile_loss"};
            double[] x = {mae, rmse, mse, mape, smape, mase, coverage80, quantileLoss};
            for (int i = 0; i < names.length; i++) if (!Double.isNaN(x[i])) m.put(names[i], x[i]);
            return m;
        }
    }

    /**
     * The backtest's scores: the model's, the naive and seasonal-naive baselines' (the latter null without a season),
     * over all targets (the mean of their scores) and per target.
     */
    public record Result(int origins, int pairs, int horizon, List<String> targets, Scores model, Scores naive, Scores seasonalNaive,
                         List<Scores> modelByTarget, List<Scores> naiveByTarget, List<Scores> seasonalByTarget) {

        /** Validation or test metrics for the trainer: MASE (lower is better), then MAE, RMSE, MAPE and the rest. */
        public Metrics metrics() {
            var values = new LinkedHashMap<String, Double>();
            double mase = model.mase();
            values.put("mase", Double.isNaN(mase) ? model.mae() : mase);
            model.values().forEach(values::putIfAbsent);
            return new Metrics("mase", Metrics.Better.LOWER, values);
        }
    }

    /**
     * Backtests the last {@code size} points of every series (the test period; for validation, the series cut
     * before their test period).
     *
     * @param season the seasonal-naive baseline's period, 0 for none
     */
    public static Result run(Forecaster model, List<Series> series, int size, int stride, int season) {
        ForecasterConfig c = model.config();
        int n = c.targets(), h = c.horizon();
        List<Forecaster.Window> windows = windows(c, series, size, stride);
        float[] levels = c.quantiles();
        List<float[]> actual = new ArrayList<>(), mean = new ArrayList<>(), naive = new ArrayList<>(), seasonal = new ArrayList<>(), scale = new ArrayList<>();
        List<List<float[]>> quantiles = new ArrayList<>();
        int count = 0;
        for (Forecaster.Window w : windows) count += Math.min(h, w.series().length() - 1 - w.origin());
        for (int k = 0; k < n; k++) {
            actual.add(new float[count]);
            mean.add(new float[count]);
            naive.add(new float[count]);
            seasonal.add(new float[count]);
            scale.add(new float[count]);
            var qk = new ArrayList<float[]>();
            for (int q = 0; q < levels.length; q++) qk.add(new float[count]);
            quantiles.add(qk);
        }
        var scales = new java.util.IdentityHashMap<Series, float[]>();
        for (Series s : series) {
            float[] perTarget = new float[n];
            for (int k = 0; k < n; k++) perTarget[k] = maseScale(s, k, s.length() - size, season);
            scales.put(s, perTarget);
        }
        int at = 0;
        for (int from = 0; from < windows.size(); from += BATCH) {
            List<Forecaster.Window> batch = windows.subList(from, Math.min(windows.size(), from + BATCH));
            Forecaster.Forecast f = model.forecast(batch);
            for (int w = 0; w < batch.size(); w++) {
                Series s = batch.get(w).series();
                int o = batch.get(w).origin();
                for (int step = 1; step <= h && o + step < s.length(); step++, at++) {
                    for (int k = 0; k < n; k++) {
                        actual.get(k)[at] = s.value(k, o + step);
                        mean.get(k)[at] = f.mean(w, step - 1, k);
                        naive.get(k)[at] = s.value(k, o);
                        if (season > 0) seasonal.get(k)[at] = s.value(k, o + step - season * ((step + season - 1) / season));
                        scale.get(k)[at] = scales.get(s)[k];
                        for (int q = 0; q < levels.length; q++) quantiles.get(k).get(q)[at] = f.quantile(q, w, step - 1, k);
                    }
                }
            }
        }
        int lower = c.indexOf(0.1f), upper = c.indexOf(0.9f);
        if (lower < 0 || upper < 0) lower = upper = -1;
        var byTarget = new ArrayList<Scores>();
        var naiveByTarget = new ArrayList<Scores>();
        var seasonalByTarget = new ArrayList<Scores>();
        for (int k = 0; k < n; k++) {
            float[][] qk = c.head().probabilistic() ? quantiles.get(k).toArray(float[][]::new) : null;
            byTarget.add(Scores.of(actual.get(k), mean.get(k), scale.get(k), qk, levels, c.head().probabilistic() ? lower : -1, upper));
            naiveByTarget.add(Scores.of(actual.get(k), naive.get(k), scale.get(k), null, levels, -1, -1));
            if (season > 0) seasonalByTarget.add(Scores.of(actual.get(k), seasonal.get(k), scale.get(k), null, levels, -1, -1));
        }
        return new Result(windows.size(), count, h, c.spec().targets(), Scores.mean(byTarget), Scores.mean(naiveByTarget),
                season > 0 ? Scores.mean(seasonalByTarget) : null, byTarget, naiveByTarget, season > 0 ? seasonalByTarget : List.of());
    }

    /**
     * The backtest's windows: from the point before the last {@code size} points of every series, every {@code stride}
     * points, to the second-to-last point; a series too short for the model's history is an error.
     */
    static List<Forecaster.Window> windows(ForecasterConfig c, List<Series> series, int size, int stride) {
        var windows = new ArrayList<Forecaster.Window>();
        for (Series s : series) {
            int start = s.length() - size;
            if (start - 1 < c.history() - 1) {
                throw new IllegalArgumentException("too few points: " + s.describe(c.spec().groupColumn()) + " has " + s.length() + "; a backtest of the last "
                        + size + " needs " + c.history() + " before them (the model's context " + c.context() + (c.season() > 0 ? " and season " + c.season() : "") + ")");
            }
            for (int o = start - 1; o <= s.length() - 2; o += stride) windows.add(new Forecaster.Window(s, o));
        }
        return windows;
    }

    /** Mean |y_t − y_{t−m}| over the points before {@code end} (m = season, or 1), the MASE denominator. */
    static float maseScale(Series s, int k, int end, int season) {
        int m = Math.max(1, season);
        double sum = 0;
        int count = 0;
        for (int t = m; t < end; t++) {
            sum += Math.abs(s.value(k, t) - s.value(k, t - m));
            count++;
        }
        return count == 0 ? 0f : (float) (sum / count);
    }
}
