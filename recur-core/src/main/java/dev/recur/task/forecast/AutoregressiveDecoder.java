package dev.recur.task.forecast;

import dev.recur.autograd.ForecastLosses;
import dev.recur.autograd.Variable;
import dev.recur.nn.Linear;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentOutput;
import dev.recur.nn.RecurrentState;
import dev.recur.tensor.Distribution;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The autoregressive decoder of a {@link Forecaster} (DeepAR, Salinas et al. 2020): the LSTM/GRU runs over the
 * context and on through the horizon, and at every step a linear head maps its state to y_t of every target (a
 * point, a Gaussian, a Student-t or quantiles, as the direct head's). Input at step t, [S·B, F] or [T, B, F]:
 * <pre>
 * y_{t−1} (n)   y_{t−m} (n, with a season m)   covariates at t (c)   calendar at t   the window's log level (n)
 * </pre>
 * all in the window's scaled units, the scaling computed over the context as the direct decoder's. The steps start
 * at the second context point, so a window needs no more history than with the direct decoder.
 * <pre>
 * training   the observed y_{t−1} and y_{t−m} (teacher forcing); the loss covers the L − 1 context steps after the
 *            first and the H horizon steps
 * forecast   the context is read with the observed values; then at each horizon step every path draws y_t from
 *            the step's distribution and reads the draw as its next y_{t−1} (and y_{t−m} a season on): 100 paths
 *            for a probabilistic head, one for a point head, which reads back its prediction
 * quantiles  a quantile head draws by inverse CDF: u ~ U(0, 1) through the piecewise-linear quantile function of
 *            the predicted quantiles (sorted if they cross), continued beyond the first and last level with the
 *            slope of the nearest segment
 * </pre>
 * The forecast's mean is the mean of the paths, its quantiles the paths' empirical quantiles, widened or narrowed
 * around their median by the calibrated spread. Each window's paths draw from a generator seeded by the window (its
 * group and origin), so a forecast depends neither on the batch nor on the model's generator, and is the same after
 * saving and loading. Parameters: the forecaster's rnn.* with F inputs and head.weight [n·P, H], head.bias [n·P].
 */
final class AutoregressiveDecoder {
    /** Sample paths per window of a probabilistic head. */
    static final int PATHS = 100;
    private static final long SEED = 0x5EED_F0CA_57L;

    private final Forecaster forecaster;
    private final ForecasterConfig config;
    private final Recurrent rnn;
    private final Linear head;
    private final Rng rng;   // dropout

    AutoregressiveDecoder(Forecaster forecaster, Recurrent rnn, Linear head, Rng rng) {
        this.forecaster = forecaster;
        this.config = forecaster.config();
        this.rnn = rnn;
        this.head = head;
        this.rng = rng;
    }

    /** Inputs per step F: the targets' previous values, with a season their values a season earlier, covariates, calendar, log levels. */
    static int features(ForecasterConfig c, int covariates, int calendar) {
        return c.targets() * (c.season() > 0 ? 3 : 2) + covariates + calendar;
    }

    /** The loss over the steps o − L + 2 … o + H of each window, every input observed. */
    Variable loss(List<Forecaster.Window> windows) {
        Forecaster.Scales scales = forecaster.scales(windows);
        int b = windows.size(), n = config.targets(), steps = config.context() - 1 + config.horizon();
        Variable out = rnn.forward(Variable.of(observed(windows, scales, steps))).output().dropout(config.dropout(), rng, forecaster.training());
        Variable params = head.forward(out).reshape(steps * b * n, config.head().parameters(config.quantiles().length));   // [T·B·n, P]
        float[] y = new float[steps * b * n];
        for (int w = 0; w < b; w++) {
            Series s = windows.get(w).series();
            int first = windows.get(w).origin() - config.context() + 2;
            for (int j = 0; j < steps; j++) {
                for (int k = 0; k < n; k++) y[(j * b + w) * n + k] = scales.scaled(s.value(k, first + j), w * n + k);
            }
        }
        return forecaster.loss(params, Tensor.of(y, y.length));
    }

    /** The inputs [count, B, F] of the steps t = o − L + 2 … o − L + 1 + count of each window, from the observed values. */
    private Tensor observed(List<Forecaster.Window> windows, Forecaster.Scales scales, int count) {
        int b = windows.size(), n = config.targets(), m = config.season(), f = rnn.config().inputSize();
        float[] x = new float[count * b * f];
        for (int w = 0; w < b; w++) {
            Series s = windows.get(w).series();
            int first = windows.get(w).origin() - config.context() + 2;
            for (int j = 0; j < count; j++) {
                int t = first + j, at = (j * b + w) * f;
                for (int k = 0; k < n; k++) {
                    x[at + k] = scales.scaled(s.value(k, t - 1), w * n + k);
                    if (m > 0) x[at + n + k] = scales.scaled(s.value(k, t - m), w * n + k);
                }
                known(s, t, w, scales, x, at + (m > 0 ? 2 : 1) * n);
            }
        }
        return Tensor.of(x, count, b, f);
    }

    /** What is known at point t of window w whatever the path: covariates, calendar and the log levels, into x from {@code at}. */
    private void known(Series s, int t, int w, Forecaster.Scales scales, float[] x, int at) {
        int n = config.targets(), c = s.covariates().length, cal = forecaster.normalisation().calendar();
        forecaster.covariates(s, t, x, at);
        if (cal > 0) s.time().calendar(t, x, at + c);
        System.arraycopy(scales.level(), w * n, x, at + c + cal, n);
    }

    /** Forecasts {@code windows} from sampled paths (called in evaluation mode, nothing recorded). */
    Forecaster.Forecast forecast(List<Forecaster.Window> windows, double spread) {
        Forecaster.Scales scales = forecaster.scales(windows);
        int b = windows.size(), n = config.targets(), h = config.horizon(), l = config.context(), m = config.season(), f = rnn.config().inputSize();
        int paths = config.head().probabilistic() ? PATHS : 1, rows = paths * b;   // row r = path · B + window
        RecurrentState state = l > 1 ? repeat(rnn.forward(Variable.of(observed(windows, scales, l - 1))).state(), paths) : null;
        var generators = new RandomGenerator[b];
        for (int w = 0; w < b; w++) generators[w] = new Rng(SEED ^ ((long) windows.get(w).series().group().hashCode() << 32) ^ windows.get(w).origin());
        float[] drawn = new float[h * rows * n];   // [H, S·B, n] scaled draws
        float[] x = new float[rows * f];
        for (int j = 0; j < h; j++) {
            // Step o + 1 + j: each path's previous value and the value a season earlier, observed or drawn.
            for (int r = 0; r < rows; r++) {
                int w = r % b, o = windows.get(w).origin(), t = o + 1 + j, at = r * f;
                Series s = windows.get(w).series();
                for (int k = 0; k < n; k++) {
                    x[at + k] = j == 0 ? scales.scaled(s.value(k, o), w * n + k) : drawn[((j - 1) * rows + r) * n + k];
                    if (m > 0) x[at + n + k] = t - m <= o ? scales.scaled(s.value(k, t - m), w * n + k) : drawn[((j - m) * rows + r) * n + k];
                }
                known(s, t, w, scales, x, at + (m > 0 ? 2 : 1) * n);
            }
            RecurrentOutput out = rnn.step(Tensor.of(x, rows, f), state);
            state = out.state();
            Tensor params = head.forward(out.output()).value();   // [S·B, n·P]
            for (int w = 0; w < b; w++) {
                for (int p = 0; p < paths; p++) {
                    int r = p * b + w;
                    for (int k = 0; k < n; k++) drawn[(j * rows + r) * n + k] = draw(params, r, k, generators[w]);
                }
            }
        }
        return summary(windows.size(), paths, drawn, scales, spread);
    }

    /** The state [layers, B, H] of every window, repeated for each path: [layers, S·B, H], path-major. */
    private static RecurrentState repeat(RecurrentState state, int paths) {
        return new RecurrentState(Variable.of(repeat(state.h().value(), paths)), state.c() == null ? null : Variable.of(repeat(state.c().value(), paths)));
    }

    private static Tensor repeat(Tensor t, int paths) {
        int layers = t.dim(0), block = t.size() / layers;
        float[] out = new float[paths * t.size()];
        for (int i = 0; i < layers; i++) {
            for (int p = 0; p < paths; p++) System.arraycopy(t.data(), t.offset() + i * block, out, (i * paths + p) * block, block);
        }
        return Tensor.of(out, layers, paths * t.dim(1), t.dim(2));
    }

    /** y_t of row r and target k in scaled units: a draw from the step's distribution, or a point head's prediction. */
    private float draw(Tensor params, int r, int k, RandomGenerator g) {
        int p = config.head().parameters(config.quantiles().length);
        float[] d = params.data();
        int at = params.offset() + (r * config.targets() + k) * p;
        return switch (config.head()) {
            case MSE, MAE -> d[at];
            case GAUSSIAN -> (float) Distribution.sampleNormal(g, d[at], ForecastLosses.scale(d[at + 1]));
            case STUDENT_T -> (float) Distribution.sampleStudentT(g, d[at], ForecastLosses.scale(d[at + 1]), ForecastLosses.dof(d[at + 2]));
            case QUANTILE -> {
                float[] q = Arrays.copyOfRange(d, at, at + p);
                Arrays.sort(q);
                yield inverseCdf(config.quantiles(), q, g.nextDouble());
            }
        };
    }

    /** The piecewise-linear quantile function through (levels[i], q[i]) at u, continued linearly beyond both ends. */
    static float inverseCdf(float[] levels, float[] q, double u) {
        if (q.length == 1) return q[0];
        int i = 0;   // the segment from levels[i] to levels[i + 1]
        while (i < q.length - 2 && u > levels[i + 1]) i++;
        return (float) (q[i] + (q[i + 1] - q[i]) * (u - levels[i]) / (levels[i + 1] - levels[i]));
    }

    /** Mean, median and quantiles over the paths, in the data's units. */
    private Forecaster.Forecast summary(int b, int paths, float[] drawn, Forecaster.Scales scales, double spread) {
        int n = config.targets(), h = config.horizon(), rows = paths * b;
        float[] levels = config.quantiles(), mean = new float[b * h * n], median = new float[b * h * n], sample = new float[paths];
        float[][] q = new float[levels.length][b * h * n];
        for (int w = 0; w < b; w++) {
            for (int j = 0; j < h; j++) {
                for (int k = 0; k < n; k++) {
                    int i = w * n + k, at = (w * h + j) * n + k;
                    double sum = 0;
                    for (int p = 0; p < paths; p++) sum += sample[p] = drawn[(j * rows + p * b + w) * n + k];
                    float sc = scales.scale()[i], sh = scales.shift()[i];
                    mean[at] = (float) (sh + sc * sum / paths);
                    median[at] = mean[at];
                    if (!config.head().probabilistic()) continue;
                    Arrays.sort(sample);
                    double mid = empirical(sample, 0.5);
                    median[at] = (float) (sh + sc * mid);
                    for (int lv = 0; lv < levels.length; lv++) q[lv][at] = (float) (sh + sc * (mid + spread * (empirical(sample, levels[lv]) - mid)));
                }
            }
        }
        return new Forecaster.Forecast(b, h, n, mean, median, q, levels);
    }

    /** The quantile at {@code level} of sorted values, linear between order statistics (Hyndman and Fan's type 7). */
    private static double empirical(float[] sorted, double level) {
        double pos = level * (sorted.length - 1);
        int lo = (int) pos, hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
