package dev.recur.task.forecast;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.ForecastLosses;
import dev.recur.autograd.Functional;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.io.ModelFile;
import dev.recur.nn.CellType;
import dev.recur.nn.Linear;
import dev.recur.nn.Module;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.task.Models;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Distribution;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A global forecaster over one or many series: each window of the last L points before an origin is scaled on its
 * own (mean absolute value, or mean and standard deviation, per target), read by an LSTM/GRU encoder step by step
 * (scaled targets and, with a season, their values one season earlier; standardised covariates, calendar features), and a linear head maps the last hidden state, the
 * window's level, its last values (up to 12 per target: a linear autoregressive path) and what is known about each of the next H points (their covariates and calendar, and with a
 * season the seasonal-naive value) to all H steps at once: a point, a Gaussian, a Student-t or quantiles per step
 * and target. The scaling is undone on the way out. With the autoregressive decoder the network instead runs on
 * through the horizon one step at a time, each step reading the value before it, and probabilistic forecasts come
 * from sampled paths ({@code AutoregressiveDecoder}).
 * <pre>
 * Forecaster f = Models.open(Path.of("sunspots.safetensors"), Forecaster.class);
 * Forecaster.Forecast p = f.forecast(List.of(new Forecaster.Window(series, series.length() - 1)));
 * p.mean(0, 0, 0);   // the next point's mean, first target
 * </pre>
 * Parameters: {@code rnn.*} (PyTorch's names) and {@code head.weight}, {@code head.bias}, for either decoder.
 */
public final class Forecaster extends Module {
    public static final String TYPE = "forecaster";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** At most this many of each target's last values reach the head directly. */
    static final int LAGS = 12;

    private final ForecasterConfig config;
    private final Normalisation norm;
    private final Rng rng;
    private final Recurrent rnn;
    private final Linear head;
    private final AutoregressiveDecoder decoder;   // null for the direct decoder
    private double spread = 1;   // the intervals' width relative to the head's, set by calibrateIntervals

    /**
     * What the training data fixed: each covariate's mean and standard deviation, each target's mean absolute
     * value (the level a window's scale is compared with) and the calendar features per point.
     */
    public record Normalisation(float[] covariateMean, float[] covariateStd, float[] level, int calendar) {

        /** Computed from the first {@code trainEnd[s]} points of each series. */
        public static Normalisation of(List<Series> series, int[] trainEnd, int calendar) {
            int c = series.get(0).covariates().length, n = series.get(0).values().length;
            double[] sum = new double[c], sq = new double[c], abs = new double[n];
            long count = 0;
            for (int s = 0; s < series.size(); s++) {
                for (int t = 0; t < trainEnd[s]; t++) {
                    for (int k = 0; k < c; k++) {
                        double v = series.get(s).covariates()[k][t];
                        sum[k] += v;
                        sq[k] += v * v;
                    }
                    for (int k = 0; k < n; k++) abs[k] += Math.abs(series.get(s).value(k, t));
                }
                count += trainEnd[s];
            }
            float[] mean = new float[c], std = new float[c], level = new float[n];
            for (int k = 0; k < c; k++) {
                mean[k] = (float) (sum[k] / count);
                double var = sq[k] / count - mean[k] * (double) mean[k];
                std[k] = var > 1e-12 ? (float) Math.sqrt(var) : 1f;
            }
            for (int k = 0; k < n; k++) level[k] = abs[k] > 0 ? (float) (abs[k] / count) : 1f;
            return new Normalisation(mean, std, level, calendar);
        }
    }

    /** The window that ends at {@code origin}, the last observed point: the forecast is of origin + 1 .. origin + H. */
    public record Window(Series series, int origin) {}

    public Forecaster(ForecasterConfig config, Normalisation norm, Rng rng) {
        this.config = config;
        this.norm = norm;
        this.rng = rng;
        boolean direct = config.decoder() == ForecasterConfig.Decoder.DIRECT;
        int c = norm.covariateMean().length, n = config.targets();
        int features = direct ? n * (config.season() > 0 ? 2 : 1) + c + norm.calendar() : AutoregressiveDecoder.features(config, c, norm.calendar());
        var rc = RecurrentConfig.of(config.cell(), features, config.hiddenSize()).withLayers(config.numLayers())
                .withDropout(config.numLayers() > 1 ? config.dropout() : 0f);
        this.rnn = register("rnn", Recurrent.of(rc, rng));
        int outputs = n * config.head().parameters(config.quantiles().length);
        this.head = register("head", direct ? new Linear(config.hiddenSize() + known(), config.horizon() * outputs, rng) : new Linear(config.hiddenSize(), outputs, rng));
        this.decoder = direct ? null : new AutoregressiveDecoder(this, rnn, head, rng);
    }

    /** The last values of each target the head reads directly (a linear autoregressive path beside the encoder). */
    private int lags() {
        return Math.min(config.context(), LAGS);
    }

    /** Inputs of the head besides the encoder's state: each target's level and last values, then each step's features. */
    private int known() {
        return config.targets() * (1 + lags()) + config.horizon() * futureFeatures();
    }

    /** Features the head reads per forecast step: the seasonal-naive value of each target (with a season), covariates and calendar. */
    private int futureFeatures() {
        return (config.season() > 0 ? config.targets() : 0) + norm.covariateMean().length + norm.calendar();
    }

    /**
     * Each window's scale and shift per target, and its level ln(scale / the training data's level), 0 for a window
     * that is not divided ([B·n] each).
     */
    record Scales(float[] scale, float[] shift, float[] level) {
        /** A value of window w and target k, i = w·n + k, in scaled units. */
        float scaled(float v, int i) {
            return (v - shift[i]) / scale[i];
        }
    }

    /** The scaling of each window, computed over its context; throws when a window lacks the history it needs. */
    Scales scales(List<Window> windows) {
        int b = windows.size(), n = config.targets(), l = config.context();
        float[] scale = new float[b * n], shift = new float[b * n], level = new float[b * n];
        for (int w = 0; w < b; w++) {
            Series s = windows.get(w).series();
            int o = windows.get(w).origin();
            if (o < config.history() - 1 || o >= s.length()) {
                throw new IllegalArgumentException("a window at origin " + o + " needs points " + (o - config.history() + 1) + ".." + o + "; the series has 0.." + (s.length() - 1));
            }
            for (int k = 0; k < n; k++) {
                double sum = 0, sq = 0;
                for (int t = o - l + 1; t <= o; t++) {
                    double v = s.value(k, t);
                    sum += config.scaling() == ForecasterConfig.Scaling.MEAN_ABS ? Math.abs(v) : v;
                    sq += v * v;
                }
                double mean = sum / l, sc;
                if (config.scaling() == ForecasterConfig.Scaling.NONE || config.scaling() == ForecasterConfig.Scaling.CENTER) {
                    scale[w * n + k] = 1f;
                    if (config.scaling() == ForecasterConfig.Scaling.CENTER) shift[w * n + k] = (float) (sum / l);
                    continue;
                } else if (config.scaling() == ForecasterConfig.Scaling.MEAN_ABS) {
                    sc = mean;
                } else {
                    shift[w * n + k] = (float) mean;
                    sc = Math.sqrt(Math.max(0, sq / l - mean * mean));
                }
                scale[w * n + k] = (float) (sc > 1e-6 * norm.level()[k] && sc > 0 ? sc : norm.level()[k]);
                level[w * n + k] = (float) Math.log(scale[w * n + k] / norm.level()[k]);
            }
        }
        return new Scales(scale, shift, level);
    }

    /** The scaled inputs of a batch of windows, and each window's scale and shift per target ([B·n]). */
    record Inputs(Tensor steps, Tensor known, float[] scale, float[] shift) {}

    Inputs inputs(List<Window> windows) {
        int b = windows.size(), n = config.targets(), c = norm.covariateMean().length, cal = norm.calendar();
        int l = config.context(), h = config.horizon(), m = config.season(), lagged = m > 0 ? n : 0, f = n + lagged + c + cal, ff = futureFeatures();
        int perWindow = known(), lags = lags();
        Scales scales = scales(windows);
        float[] x = new float[l * b * f], known = new float[b * perWindow], scale = scales.scale(), shift = scales.shift();
        for (int w = 0; w < b; w++) {
            Series s = windows.get(w).series();
            int o = windows.get(w).origin();
            System.arraycopy(scales.level(), w * n, known, w * perWindow, n);
            for (int j = 0; j < l; j++) {
                int t = o - l + 1 + j, at = (j * b + w) * f;
                for (int k = 0; k < n; k++) x[at + k] = (s.value(k, t) - shift[w * n + k]) / scale[w * n + k];
                for (int k = 0; k < lagged; k++) x[at + n + k] = (s.value(k, t - m) - shift[w * n + k]) / scale[w * n + k];
                covariates(s, t, x, at + n + lagged);
                if (cal > 0) s.time().calendar(t, x, at + n + lagged + c);
            }
            int base = w * perWindow + n;
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < lags; j++) known[base + k * lags + j] = (s.value(k, o - j) - shift[w * n + k]) / scale[w * n + k];
            }
            for (int step = 1; step <= h; step++) {
                int t = o + step, at = base + n * lags + (step - 1) * ff;
                if (m > 0) {
                    int back = t - m * ((step + m - 1) / m);
                    for (int k = 0; k < n; k++) known[at++] = (s.value(k, back) - shift[w * n + k]) / scale[w * n + k];
                }
                covariates(s, t, known, at);
                if (cal > 0) s.time().calendar(t, known, at + c);
            }
        }
        return new Inputs(Tensor.of(x, l, b, f), Tensor.of(known, b, perWindow), scale, shift);
    }

    /** Standardised covariates at point t (the last known row's for points past what the file holds). */
    void covariates(Series s, int t, float[] out, int at) {
        float[][] cov = s.covariates();
        for (int k = 0; k < cov.length; k++) {
            float v = cov[k][Math.min(t, cov[k].length - 1)];
            out[at + k] = (v - norm.covariateMean()[k]) / norm.covariateStd()[k];
        }
    }

    /** The head's outputs [B·H·n, P] in scaled units: step-major within a window, then target. */
    Variable forward(Inputs in) {
        int l = config.context(), b = in.scale().length / config.targets();
        Variable out = rnn.forward(Variable.of(in.steps())).output();
        Variable last = out.slice(0, l - 1, l).reshape(b, config.hiddenSize()).dropout(config.dropout(), rng, training());
        Variable z = Functional.concat(1, last, Variable.of(in.known()));
        int p = config.head().parameters(config.quantiles().length);
        return head.forward(z).reshape(b * config.horizon() * config.targets(), p);
    }

    /**
     * The training loss of a batch of windows whose next H points are all observed: MSE or MAE on the scaled
     * values, the negative log-likelihood of the scaled values, or the pinball loss of the scaled quantiles; with the
     * autoregressive decoder over the context points after the first as well as the H points.
     */
    public Variable loss(List<Window> windows) {
        if (decoder != null) return decoder.loss(windows);
        Inputs in = inputs(windows);
        Variable params = forward(in);
        int n = config.targets(), h = config.horizon(), rows = windows.size() * h * n;
        float[] y = new float[rows];
        for (int w = 0; w < windows.size(); w++) {
            Window win = windows.get(w);
            for (int step = 1; step <= h; step++) {
                for (int k = 0; k < n; k++) {
                    int i = w * n + k;
                    y[(w * h + step - 1) * n + k] = (win.series().value(k, win.origin() + step) - in.shift()[i]) / in.scale()[i];
                }
            }
        }
        return loss(params, Tensor.of(y, rows));
    }

    /**
     * The denominator of {@link #loss(List)}'s mean over {@code windows} windows: the scaled values it covers,
     * windows × steps × targets (the H steps; the L − 1 + H steps with the autoregressive decoder), times the
     * quantiles for the pinball loss. The windows' scaling is each window's own, so the loss of a set of windows is
     * the mean of their terms and nothing else.
     */
    public long lossTerms(int windows) {
        long steps = decoder == null ? config.horizon() : config.context() - 1 + config.horizon();
        long terms = windows * steps * config.targets();
        return config.head() == ForecasterConfig.Head.QUANTILE ? terms * config.quantiles().length : terms;
    }

    /** The head's loss of outputs [N, P] in scaled units against the scaled values [N]. */
    Variable loss(Variable params, Tensor target) {
        int rows = target.size();
        return switch (config.head()) {
            case MSE -> params.reshape(rows).mse(Variable.of(target));
            case MAE -> ForecastLosses.mae(params.reshape(rows), target);
            case GAUSSIAN -> ForecastLosses.gaussianNll(column(params, 0), column(params, 1), target);
            case STUDENT_T -> ForecastLosses.studentTNll(column(params, 0), column(params, 1), column(params, 2), target);
            case QUANTILE -> ForecastLosses.pinball(params, target, config.quantiles());
        };
    }

    private static Variable column(Variable params, int p) {
        return params.slice(1, p, p + 1).reshape(params.shape()[0]);
    }

    /**
     * Forecasts of a batch of windows in the data's units, [B][H][n] flattened: the mean (the median of a
     * quantile head: its level nearest 0.5; the mean of the paths with the autoregressive decoder), the median (the
     * centre the intervals are widened or narrowed around: the mean but for sampled paths) and the configured
     * quantiles; for a Student-t with ν ≤ 1 the mean is its centre.
     */
    public record Forecast(int windows, int horizon, int targets, float[] mean, float[] median, float[][] quantiles, float[] levels) {
        public float mean(int window, int step, int target) {
            return mean[(window * horizon + step) * targets + target];
        }

        public float median(int window, int step, int target) {
            return median[(window * horizon + step) * targets + target];
        }

        /** The quantile at level index q. */
        public float quantile(int q, int window, int step, int target) {
            return quantiles[q][(window * horizon + step) * targets + target];
        }
    }

    /** Forecasts {@code windows} in evaluation mode, nothing recorded. */
    public Forecast forecast(List<Window> windows) {
        boolean was = training();
        train(false);
        try (var off = Tape.noGrad()) {
            if (decoder != null) return decoder.forecast(windows, spread);
            Inputs in = inputs(windows);
            Tensor params = forward(in).value();
            int n = config.targets(), h = config.horizon(), rows = windows.size() * h * n, p = params.dim(1);
            float[] levels = config.quantiles();
            float[] mean = new float[rows];
            float[][] q = new float[levels.length][rows];
            float[] d = params.data();
            int o = params.offset();
            int median = nearestHalf(levels);
            float[] sorted = new float[p];
            for (int r = 0; r < rows; r++) {
                int i = (r / (h * n)) * n + r % n;
                float sc = in.scale()[i], sh = in.shift()[i];
                switch (config.head()) {
                    case MSE, MAE -> mean[r] = sh + sc * d[o + r * p];
                    case GAUSSIAN -> {
                        double mu = d[o + r * p], sigma = ForecastLosses.scale(d[o + r * p + 1]);
                        mean[r] = (float) (sh + sc * mu);
                        for (int k = 0; k < levels.length; k++) q[k][r] = (float) (sh + sc * (mu + spread * sigma * Distribution.normalQuantile(levels[k])));
                    }
                    case STUDENT_T -> {
                        double mu = d[o + r * p], sigma = ForecastLosses.scale(d[o + r * p + 1]), nu = ForecastLosses.dof(d[o + r * p + 2]);
                        mean[r] = (float) (sh + sc * mu);
                        for (int k = 0; k < levels.length; k++) q[k][r] = (float) (sh + sc * (mu + spread * sigma * Distribution.studentTQuantile(levels[k], nu)));
                    }
                    case QUANTILE -> {
                        System.arraycopy(d, o + r * p, sorted, 0, p);
                        Arrays.sort(sorted);   // quantiles that cross are reported in order
                        for (int k = 0; k < p; k++) q[k][r] = (float) (sh + sc * (sorted[median] + spread * (sorted[k] - sorted[median])));
                        mean[r] = sh + sc * sorted[median];
                    }
                }
            }
            return new Forecast(windows.size(), h, n, mean, mean, q, levels);
        } finally {
            train(was);
        }
    }

    /**
     * Widens or narrows every interval so that the 80% interval covers 80% of the validation pairs (split conformal
     * calibration, Romano et al. 2019): for each pair the distance of the value from the centre in units of the
     * interval's half-width on its side; the spread is the 80th percentile of those ratios. Returns the spread;
     * a model without the levels 0.1 and 0.9 is left as it is (1).
     *
     * @param series the series cut before their test period; their last {@code size} points are the validation period
     */
    public double calibrateIntervals(List<Series> series, int size, int stride) {
        spread = 1;
        if (!config.head().probabilistic() || !config.hasInterval()) return spread;
        int lower = config.indexOf(0.1f), upper = config.indexOf(0.9f), n = config.targets();
        var ratios = new ArrayList<Double>();
        List<Window> windows = Backtest.windows(config, series, size, stride);
        for (int from = 0; from < windows.size(); from += Backtest.BATCH) {
            List<Window> batch = windows.subList(from, Math.min(windows.size(), from + Backtest.BATCH));
            Forecast f = forecast(batch);
            for (int w = 0; w < batch.size(); w++) {
                Series s = batch.get(w).series();
                int o = batch.get(w).origin();
                for (int step = 1; step <= config.horizon() && o + step < s.length(); step++) {
                    for (int k = 0; k < n; k++) {
                        double y = s.value(k, o + step), centre = f.median(w, step - 1, k);
                        double half = y >= centre ? f.quantile(upper, w, step - 1, k) - centre : centre - f.quantile(lower, w, step - 1, k);
                        if (half > 0) ratios.add(Math.abs(y - centre) / half);
                    }
                }
            }
        }
        if (ratios.isEmpty()) return spread;
        ratios.sort(null);
        double pos = 0.8 * (ratios.size() - 1);
        int lo = (int) pos;
        spread = ratios.get(lo) + (pos - lo) * (ratios.get(Math.min(ratios.size() - 1, lo + 1)) - ratios.get(lo));
        spread = Math.max(spread, 1e-3);
        return spread;
    }

    /** The intervals' width relative to the head's (1 until {@link #calibrateIntervals}). */
    public double spread() {
        return spread;
    }

    private static int nearestHalf(float[] levels) {
        int best = 0;
        for (int k = 1; k < levels.length; k++) if (Math.abs(levels[k] - 0.5f) < Math.abs(levels[best] - 0.5f)) best = k;
        return best;
    }

    public ForecasterConfig config() {
        return config;
    }

    public Normalisation normalisation() {
        return norm;
    }

    /** The generator dropout draws from; its state goes into checkpoints. */
    public Rng rng() {
        return rng;
    }

    /** recur.config: the type, the columns, the window, the head and decoder, the recurrent network and the normalisation. */
    public ObjectNode configJson() {
        ForecasterConfig c = config;
        SeriesSpec s = c.spec();
        ObjectNode j = JSON.createObjectNode().put("type", TYPE);
        strings(j.putArray("targets"), s.targets());
        j.put("time_column", s.timeColumn());
        strings(j.putArray("covariates"), s.covariates());
        j.put("calendar", s.calendar()).put("group_column", s.groupColumn()).put("fill", lower(s.fill()));
        j.put("context", c.context()).put("horizon", c.horizon()).put("season", c.season()).put("scaling", lower(c.scaling()))
                .put("head", lower(c.head())).put("decoder", lower(c.decoder()));
        floats(j.putArray("quantiles"), c.quantiles());
        j.put("cell", lower(c.cell())).put("hidden_size", c.hiddenSize()).put("num_layers", c.numLayers()).put("dropout", c.dropout());
        j.put("test_size", c.testSize()).put("valid_size", c.validSize()).put("stride", c.stride());
        floats(j.putArray("covariate_mean"), norm.covariateMean());
        floats(j.putArray("covariate_std"), norm.covariateStd());
        floats(j.putArray("level"), norm.level());
        j.put("calendar_features", norm.calendar()).put("interval_spread", spread);
        return j;
    }

    /** The forecaster a model file holds, in evaluation mode; the registry's loader. */
    public static Forecaster of(ModelFile file) {
        return Models.load(file, "forecaster", Forecaster::fromJson);
    }

    static Forecaster fromJson(JsonNode j) {
        var spec = new SeriesSpec(strings(j.get("targets")), text(j.get("time_column")), strings(j.get("covariates")), j.get("calendar").asBoolean(),
                text(j.get("group_column")), SeriesSpec.Fill.valueOf(upper(j.get("fill"))));
        var config = new ForecasterConfig(spec, j.get("context").asInt(), j.get("horizon").asInt(), j.get("season").asInt(),
                ForecasterConfig.Scaling.valueOf(upper(j.get("scaling"))), ForecasterConfig.Head.valueOf(upper(j.get("head"))),
                floats(j.get("quantiles")), j.has("decoder") ? ForecasterConfig.Decoder.valueOf(upper(j.get("decoder"))) : ForecasterConfig.Decoder.DIRECT,
                CellType.valueOf(upper(j.get("cell"))), j.get("hidden_size").asInt(), j.get("num_layers").asInt(),
                (float) j.get("dropout").asDouble(), j.get("test_size").asInt(), j.get("valid_size").asInt(), j.get("stride").asInt());
        var norm = new Normalisation(floats(j.get("covariate_mean")), floats(j.get("covariate_std")), floats(j.get("level")), j.get("calendar_features").asInt());
        if (norm.level().length != config.targets() || norm.covariateMean().length != spec.covariates().size()) {
            throw new IllegalArgumentException("the normalisation does not match the targets and covariates");
        }
        var f = new Forecaster(config, norm, new Rng(0));
        f.spread = j.path("interval_spread").asDouble(1);
        if (!(f.spread > 0) || Double.isInfinite(f.spread)) throw new IllegalArgumentException("interval_spread must be positive, got " + f.spread);
        return f;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static String upper(JsonNode n) {
        if (n == null || !n.isTextual()) throw new IllegalArgumentException("a field is missing or not text");
        return n.asText().toUpperCase(Locale.ROOT);
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    private static List<String> strings(JsonNode a) {
        var l = new ArrayList<String>();
        if (a != null) a.forEach(v -> l.add(v.asText()));
        return l;
    }

    private static void floats(ArrayNode a, float[] values) {
        for (float v : values) a.add(v);
    }

    private static float[] floats(JsonNode a) {
        if (a == null) return new float[0];
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) a.get(i).asDouble();
        return v;
    }

    @Override
    public String toString() {
        return "Forecaster(" + config.describe() + ")";
    }
}
