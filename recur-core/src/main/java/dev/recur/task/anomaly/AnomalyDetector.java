package dev.recur.task.anomaly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.io.ModelFile;
import dev.recur.nn.CellType;
import dev.recur.nn.Module;
import dev.recur.task.Models;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.forecast.ForecasterConfig;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.SeriesSpec;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Flags the rows of one or many series that do not fit what normal rows taught it. Each group's columns are
 * standardised by the mean and standard deviation of its training rows; a row's error per column is the absolute
 * error of a one-step forecast from the rows before it (a {@link Forecaster}) or of the reconstruction of the window
 * that ends at it (an {@link Autoencoder}), divided by that column's 99th percentile on the training rows; the score
 * is the largest over the columns, smoothed by an exponentially weighted mean, and a row is an anomaly when its
 * score exceeds the threshold the rule set on the validation rows.
 * <pre>
 * AnomalyDetector d = Models.open(Path.of("sensors.safetensors"), AnomalyDetector.class);
 * float[] score = d.scores(series);   // NaN for the first rows, which only give context
 * </pre>
 */
public final class AnomalyDetector extends Module {
    public static final String TYPE = "anomaly_detector";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Windows scored at once. */
    private static final int BATCH = 256;

    private final AnomalyConfig config;
    private final Map<String, float[][]> stats;   // group → {mean[n], std[n]} of its training rows; "" pools every group
    private float[] errorScale;                    // per column, the 99th percentile of the training rows' errors
    private float[] validScores = new float[0];    // sorted smoothed scores of the validation rows
    private double threshold = Double.NaN;
    private final Forecaster forecaster;
    private final Autoencoder autoencoder;
    private final Rng rng;

    AnomalyDetector(AnomalyConfig config, Map<String, float[][]> stats, Rng rng) {
        this.config = config;
        this.stats = new LinkedHashMap<>(stats);
        this.rng = rng;
        int n = config.spec().targets().size();
        this.errorScale = filled(n, 1f);
        if (config.method() == AnomalyConfig.Method.FORECAST) {
            var fc = new ForecasterConfig(config.spec(), config.context(), 1, 0, ForecasterConfig.Scaling.CENTER, ForecasterConfig.Head.MSE, null,
                    ForecasterConfig.Decoder.DIRECT, config.cell(), config.hiddenSize(), config.numLayers(), config.dropout(), 1, 1, 1);
            this.forecaster = register("forecaster", new Forecaster(fc, new Forecaster.Normalisation(new float[0], new float[0], filled(n, 1f), 0), rng));
            this.autoencoder = null;
        } else {
            this.forecaster = null;
            this.autoencoder = register("autoencoder", new Autoencoder(config.cell(), n, config.hiddenSize(), config.numLayers(), rng));
        }
    }

    /** A new detector whose standardisation comes from the training rows of {@code series}. */
    public static AnomalyDetector create(AnomalyConfig config, List<Series> series, Rng rng) {
        int n = config.spec().targets().size(), from = config.trainRows()[0];
        var stats = new LinkedHashMap<String, float[][]>();
        double[] sum = new double[n], sq = new double[n];
        long count = 0;
        for (Series s : series) {
            int to = Math.min(s.length(), config.trainRows()[1]);
            double[] gs = new double[n], gq = new double[n];
            for (int t = from; t < to; t++) {
                for (int k = 0; k < n; k++) {
                    double v = s.value(k, t);
                    gs[k] += v;
                    gq[k] += v * v;
                }
            }
            for (int k = 0; k < n; k++) {
                sum[k] += gs[k];
                sq[k] += gq[k];
            }
            count += Math.max(0, to - from);
            if (to > from) stats.put(s.group(), meanStd(gs, gq, to - from));
        }
        stats.put("", meanStd(sum, sq, count));
        return new AnomalyDetector(config, stats, rng);
    }

    private static float[][] meanStd(double[] sum, double[] sq, long count) {
        int n = sum.length;
        float[][] ms = new float[2][n];
        for (int k = 0; k < n; k++) {
            double mean = sum[k] / Math.max(1, count), var = sq[k] / Math.max(1, count) - mean * mean;
            ms[0][k] = (float) mean;
            ms[1][k] = var > 1e-12 ? (float) Math.sqrt(var) : 1f;
        }
        return ms;
    }

    /** The series with each column standardised by its group's training rows (the pooled statistics for a group never seen). */
    public Series normalise(Series s) {
        float[][] ms = stats.getOrDefault(s.group(), stats.get(""));
        float[][] v = new float[s.values().length][s.length()];
        for (int k = 0; k < v.length; k++) for (int t = 0; t < s.length(); t++) v[k][t] = (s.value(k, t) - ms[0][k]) / ms[1][k];
        return new Series(s.group(), v, s.covariates(), s.time(), s.lines());
    }

    /** The training loss of rows {@code rows[i]} of normalised series {@code series.get(i)}: each row's forecast or window reconstruction. */
    Variable loss(List<Series> series, int[] rows) {
        if (forecaster != null) {
            var windows = new ArrayList<Forecaster.Window>();
            for (int i = 0; i < rows.length; i++) windows.add(new Forecaster.Window(series.get(i), rows[i] - 1));
            return forecaster.loss(windows);
        }
        Tensor x = windows(series, rows);
        return autoencoder.forward(x).mse(Variable.of(x.reshape(x.dim(0) * x.dim(1), x.dim(2))));
    }

    /**
     * The denominator of {@link #loss}'s mean over {@code rows} rows: the forecaster's terms
     * ({@link Forecaster#lossTerms}, one step of every column per row), or the autoencoder's squared errors,
     * context × rows × columns. Windows are centred on their own means, so the loss is a plain mean over them.
     */
    long lossTerms(int rows) {
        return forecaster != null ? forecaster.lossTerms(rows) : (long) config.context() * rows * config.spec().targets().size();
    }

    /** Windows [W, B, n] of the W rows that end at each row, each column centred on its mean over the window. */
    private Tensor windows(List<Series> series, int[] rows) {
        int w = config.context(), b = rows.length, n = config.spec().targets().size();
        float[] x = new float[w * b * n];
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < n; k++) {
                double mean = 0;
                for (int j = 0; j < w; j++) mean += series.get(i).value(k, rows[i] - w + 1 + j);
                mean /= w;
                for (int j = 0; j < w; j++) x[(j * b + i) * n + k] = (float) (series.get(i).value(k, rows[i] - w + 1 + j) - mean);
            }
        }
        return Tensor.of(x, w, b, n);
    }

    /** The first row that gets a score: rows before it only give context. */
    public int firstScored() {
        return config.context();
    }

    /** Absolute errors [T][n] of every row of a normalised series in standard deviations; NaN before {@link #firstScored}. */
    float[][] errors(Series normalised) {
        int n = config.spec().targets().size(), length = normalised.length();
        float[][] e = new float[length][n];
        for (int t = 0; t < Math.min(length, firstScored()); t++) Arrays.fill(e[t], Float.NaN);
        boolean was = training();
        train(false);
        try (var off = Tape.noGrad()) {
            for (int from = firstScored(); from < length; from += BATCH) {
                int to = Math.min(length, from + BATCH);
                int[] rows = new int[to - from];
                for (int i = 0; i < rows.length; i++) rows[i] = from + i;
                if (forecaster != null) {
                    var windows = new ArrayList<Forecaster.Window>();
                    for (int row : rows) windows.add(new Forecaster.Window(normalised, row - 1));
                    Forecaster.Forecast f = forecaster.forecast(windows);
                    for (int i = 0; i < rows.length; i++) for (int k = 0; k < n; k++) e[rows[i]][k] = Math.abs(normalised.value(k, rows[i]) - f.mean(i, 0, k));
                } else {
                    Tensor x = windows(java.util.Collections.nCopies(rows.length, normalised), rows);
                    float[] r = autoencoder.forward(x).value().toArray();
                    int w = config.context(), b = rows.length;
                    for (int i = 0; i < b; i++) for (int k = 0; k < n; k++) e[rows[i]][k] = Math.abs(x.get(w - 1, i, k) - r[((w - 1) * b + i) * n + k]);
                }
            }
        } finally {
            train(was);
        }
        return e;
    }

    /** Each row's score: the largest error over the columns in units of their training scale, smoothed; NaN before {@link #firstScored}. */
    public float[] scores(Series s) {
        return scores(errors(normalise(s)));
    }

    /** The scores of rows whose errors are {@code e}. */
    private float[] scores(float[][] e) {
        float[] score = new float[e.length];
        double alpha = 2.0 / (config.smoothing() + 1), smoothed = Double.NaN;
        for (int t = 0; t < e.length; t++) {
            double raw = Double.NaN;
            for (int k = 0; k < errorScale.length; k++) if (!Float.isNaN(e[t][k])) raw = Double.isNaN(raw) ? e[t][k] / errorScale[k] : Math.max(raw, e[t][k] / errorScale[k]);
            if (!Double.isNaN(raw)) smoothed = Double.isNaN(smoothed) ? raw : alpha * raw + (1 - alpha) * smoothed;
            score[t] = (float) (Double.isNaN(raw) ? Double.NaN : smoothed);
        }
        return score;
    }

    /**
     * Sets the error scale from the training rows and the threshold from the validation rows' scores by the
     * configured rule; call it after training, before the model is written.
     */
    public void calibrate(List<Series> series) {
        int n = config.spec().targets().size();
        var perColumn = new ArrayList<List<Float>>();
        for (int k = 0; k < n; k++) perColumn.add(new ArrayList<>());
        var errors = new ArrayList<float[][]>();
        for (Series s : series) {
            float[][] e = errors(normalise(s));
            errors.add(e);
            for (int t = Math.max(firstScored(), config.trainRows()[0]); t < Math.min(s.length(), config.trainRows()[1]); t++) {
                for (int k = 0; k < n; k++) perColumn.get(k).add(e[t][k]);
            }
        }
        float[] scale = new float[n];
        for (int k = 0; k < n; k++) {
            float[] v = new float[perColumn.get(k).size()];
            for (int i = 0; i < v.length; i++) v[i] = perColumn.get(k).get(i);
            Arrays.sort(v);
            scale[k] = v.length == 0 ? 1f : (float) Math.max(1e-6, ThresholdRule.quantile(v, 0.99));
        }
        errorScale = scale;
        var valid = new ArrayList<Float>();
        for (int i = 0; i < series.size(); i++) {
            float[] score = scores(errors.get(i));   // the errors above, now scaled
            for (int t = Math.max(firstScored(), config.validRows()[0]); t < Math.min(series.get(i).length(), config.validRows()[1]); t++) valid.add(score[t]);
        }
        validScores = new float[valid.size()];
        for (int i = 0; i < validScores.length; i++) validScores[i] = valid.get(i);
        Arrays.sort(validScores);
        threshold = config.rule().threshold(validScores);
    }

    /** The threshold {@code rule} sets: from the validation scores, or (dynamic) from {@code judged}, the scores being judged. */
    public double threshold(ThresholdRule rule, float[] judged) {
        if (rule.kind() == ThresholdRule.Kind.DYNAMIC) return ThresholdRule.dynamic(judged);
        if (validScores.length == 0) throw new IllegalStateException("the detector has not been calibrated");
        return rule.threshold(validScores);
    }

    /** The threshold of the training rule (NaN for the dynamic rule, which is set per judged series). */
    public double threshold() {
        return threshold;
    }

    public AnomalyConfig config() {
        return config;
    }

    /** The generator dropout draws from; its state goes into checkpoints. */
    public Rng rng() {
        return rng;
    }

    /** The mean loss over the given rows, without recording: the validation metric. */
    double meanLoss(List<Series> series, int[] rows) {
        boolean was = training();
        train(false);
        try (var off = Tape.noGrad()) {
            double total = 0;
            for (int from = 0; from < rows.length; from += BATCH) {
                int to = Math.min(rows.length, from + BATCH);
                total += loss(series.subList(from, to), Arrays.copyOfRange(rows, from, to)).value().item() * (to - from);
            }
            return total / rows.length;
        } finally {
            train(was);
        }
    }

    /** recur.config: the type, the columns, the method, the encoder, the rows, the standardisation and the calibration. */
    public ObjectNode configJson() {
        AnomalyConfig c = config;
        ObjectNode j = JSON.createObjectNode().put("type", TYPE);
        c.spec().targets().forEach(j.putArray("columns")::add);
        j.put("time_column", c.spec().timeColumn()).put("group_column", c.spec().groupColumn()).put("fill", c.spec().fill().name().toLowerCase(Locale.ROOT));
        j.put("method", c.method().option()).put("context", c.context()).put("cell", c.cell().name().toLowerCase(Locale.ROOT))
                .put("hidden_size", c.hiddenSize()).put("num_layers", c.numLayers()).put("dropout", c.dropout());
        j.putArray("train_rows").add(c.trainRows()[0]).add(c.trainRows()[1]);
        j.putArray("valid_rows").add(c.validRows()[0]).add(c.validRows()[1]);
        j.put("smoothing", c.smoothing()).put("threshold_rule", c.rule().toString()).put("threshold", threshold);
        ObjectNode groups = j.putObject("groups");
        stats.forEach((g, ms) -> {
            ObjectNode o = groups.putObject(g);
            for (float v : ms[0]) o.withArray("mean").add(v);
            for (float v : ms[1]) o.withArray("std").add(v);
        });
        for (float v : errorScale) j.withArray("error_scale").add(v);
        for (float v : validScores) j.withArray("valid_scores").add(v);
        return j;
    }

    /** The detector a model file holds, in evaluation mode; the registry's loader. */
    public static AnomalyDetector of(ModelFile file) {
        return Models.load(file, "anomaly detector", AnomalyDetector::fromJson);
    }

    static AnomalyDetector fromJson(JsonNode j) {
        var columns = new ArrayList<String>();
        j.get("columns").forEach(c -> columns.add(c.asText()));
        var spec = new SeriesSpec(columns, text(j.get("time_column")), List.of(), false, text(j.get("group_column")),
                SeriesSpec.Fill.valueOf(j.get("fill").asText().toUpperCase(Locale.ROOT)));
        var config = new AnomalyConfig(spec, AnomalyConfig.Method.valueOf(j.get("method").asText().toUpperCase(Locale.ROOT)), j.get("context").asInt(),
                CellType.valueOf(j.get("cell").asText().toUpperCase(Locale.ROOT)), j.get("hidden_size").asInt(), j.get("num_layers").asInt(),
                (float) j.get("dropout").asDouble(), ints(j.get("train_rows")), ints(j.get("valid_rows")), j.get("smoothing").asInt(),
                ThresholdRule.parse(j.get("threshold_rule").asText()));
        var stats = new LinkedHashMap<String, float[][]>();
        j.get("groups").fields().forEachRemaining(e -> stats.put(e.getKey(), new float[][] {floats(e.getValue().get("mean")), floats(e.getValue().get("std"))}));
        if (!stats.containsKey("")) throw new IllegalArgumentException("the pooled standardisation is missing");
        var d = new AnomalyDetector(config, stats, new Rng(0));
        d.errorScale = floats(j.get("error_scale"));
        d.validScores = floats(j.get("valid_scores"));
        d.threshold = j.path("threshold").asDouble(Double.NaN);
        if (d.errorScale.length != columns.size()) throw new IllegalArgumentException("error_scale has " + d.errorScale.length + " values for " + columns.size() + " columns");
        return d;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static int[] ints(JsonNode a) {
        return new int[] {a.get(0).asInt(), a.get(1).asInt()};
    }

    private static float[] floats(JsonNode a) {
        if (a == null) return new float[0];
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) a.get(i).asDouble();
        return v;
    }

    private static float[] filled(int n, float value) {
        float[] v = new float[n];
        Arrays.fill(v, value);
        return v;
    }

    @Override
    public String toString() {
        return "AnomalyDetector(" + config.describe() + ")";
    }
}
