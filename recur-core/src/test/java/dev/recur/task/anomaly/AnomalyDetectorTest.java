package dev.recur.task.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recur.data.Csv;
import dev.recur.io.ModelFile;
import dev.recur.nn.CellType;
import dev.recur.optim.OptimizerType;
import dev.recur.optim.ScheduleType;
import dev.recur.task.Models;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.SeriesReader;
import dev.recur.task.forecast.SeriesSpec;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import dev.recur.train.RunFiles;
import dev.recur.train.TrainingPlan;
import dev.recur.train.TrainingRecipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnomalyDetectorTest {
    @TempDir
    Path dir;

    private static final int ROWS = 600, TRAIN_END = 400, VALID_END = 500, CONTEXT = 16;
    /** The event: rows 540–543 of group "high", column a pushed ±half its level away, alternately. */
    private static final int EVENT_FROM = 540, EVENT_TO = 544;
    private static final SeriesSpec SPEC = new SeriesSpec(List.of("a", "b"), "t", List.of(), false, "g", SeriesSpec.Fill.NONE);

    /**
     * Two groups of two noisy periodic columns at levels 10 and 200 (so a pooled standardisation would not fit
     * either); rows 0–399 train, 400–499 validation, 500–599 test; with {@code event}, rows 540–543 of group high
     * are anomalous.
     */
    private static List<Series> data(boolean event) {
        var csv = new StringBuilder("t,g,a,b\n");
        var rng = new Rng(5);
        for (String g : new String[] {"low", "high"}) {
            double level = g.equals("low") ? 10 : 200;
            for (int t = 0; t < ROWS; t++) {
                double a = level * (1 + 0.2 * Math.sin(2 * Math.PI * t / 20)) + level * 0.01 * rng.nextGaussian();
                double b = level * (0.5 + 0.1 * Math.cos(2 * Math.PI * t / 15)) + level * 0.005 * rng.nextGaussian();
                if (event && g.equals("high") && t >= EVENT_FROM && t < EVENT_TO) a += (t % 2 == 0 ? 0.5 : -0.5) * level;
                csv.append(t).append(',').append(g).append(',').append(a).append(',').append(b).append('\n');
            }
        }
        return SeriesReader.read(Csv.parse(csv.toString(), ','), SPEC, false);
    }

    private static AnomalyConfig config(AnomalyConfig.Method method, int smoothing) {
        return new AnomalyConfig(SPEC, method, CONTEXT, CellType.LSTM, 16, 1, 0f, new int[] {0, TRAIN_END}, new int[] {TRAIN_END, VALID_END},
                smoothing, ThresholdRule.parse("max:1.1"));
    }

    private AnomalyDetector trained(AnomalyConfig.Method method, List<Series> series) throws Exception {
        AnomalyDetector d = AnomalyDetector.create(config(method, 1), series, new Rng(7));
        var task = new AnomalyTraining(d, series, 32, 1, "waves");
        var plan = new TrainingPlan(300, 0, null, OptimizerType.ADAM, 0.01f, 1.0, ScheduleType.CONSTANT, 0, 0.2, 100, 0, 0);
        TrainingRecipe.run(task, plan, RunFiles.of(dir.resolve(method.option() + "-run.safetensors"), "d").prepare(), null, new ArrayList<>());
        d.calibrate(series);
        return d;
    }

    private static Map<String, Tensor> tensors(AnomalyDetector d) {
        var tensors = new LinkedHashMap<String, Tensor>();
        d.namedParameters().forEach((name, p) -> tensors.put(name, p.value()));
        return tensors;
    }

    /** Each series' scores at rows [from, to). */
    private static List<Float> scoresIn(AnomalyDetector d, List<Series> series, int from, int to) {
        var v = new ArrayList<Float>();
        for (Series s : series) {
            float[] score = d.scores(s);
            for (int t = from; t < to; t++) v.add(score[t]);
        }
        return v;
    }

    @Test
    void bothMethodsFlagTheEventAndFewNormalRowsAndReopenTheSame() throws Exception {
        List<Series> series = data(true);
        for (AnomalyConfig.Method method : AnomalyConfig.Method.values()) {
            AnomalyDetector d = trained(method, series);
            String m = method.option();

            // max:1.1 of the validation rows' scores, over both groups
            double largestValid = scoresIn(d, series, TRAIN_END, VALID_END).stream().mapToDouble(Float::doubleValue).max().orElseThrow();
            assertThat(d.threshold()).as(m).isCloseTo(1.1 * largestValid, within(1e-5 * largestValid));
            assertThat(d.threshold(ThresholdRule.parse("quantile:1"), new float[0])).as(m).isCloseTo(largestValid, within(1e-6 * largestValid));
            float[] judged = d.scores(series.get(1));
            assertThat(d.threshold(ThresholdRule.parse("dynamic"), judged)).as(m).isEqualTo(ThresholdRule.dynamic(judged));

            // errors are in units of each column's 99th percentile on the training rows: about 1 % of the training rows
            // exceed 1 per column (at most 2 % for two columns)
            List<Float> train = scoresIn(d, series, CONTEXT, TRAIN_END);
            double above1 = train.stream().filter(x -> x > 1).count() / (double) train.size();
            assertThat(above1).as(m + ": training rows scoring above 1").isBetween(0.005, 0.025);

            Series high = series.get(1);
            assertThat(high.group()).isEqualTo("high");
            float[] score = d.scores(high);
            for (int t = EVENT_FROM; t < EVENT_TO; t++) assertThat((double) score[t]).as(m + ": event row " + t).isGreaterThan(d.threshold());
            // normal test rows: every test row of group low, and of group high those whose window holds no event row
            int normal = 0, flagged = 0;
            for (Series s : series) {
                float[] sc = d.scores(s);
                for (int t = VALID_END; t < ROWS; t++) {
                    if (s == high && t >= EVENT_FROM && t < EVENT_TO + CONTEXT) continue;
                    normal++;
                    if (sc[t] > d.threshold()) flagged++;
                }
            }
            assertThat(flagged).as(m + ": normal test rows flagged, of " + normal).isLessThanOrEqualTo(normal / 20);

            // written and reopened: the same scores and threshold
            Path file = dir.resolve(m + ".safetensors");
            ModelFile.write(file, d.configJson(), tensors(d));
            AnomalyDetector loaded = Models.open(file, AnomalyDetector.class);
            assertThat(loaded.threshold()).as(m).isEqualTo(d.threshold());
            assertThat(loaded.config().describe()).isEqualTo(d.config().describe());
            for (Series s : series) {
                float[] a = d.scores(s), b = loaded.scores(s);
                assertThat(b).as(m + " " + s.group()).hasSameSizeAs(a);
                for (int t = 0; t < b.length; t++) {
                    // equal to float rounding: the kernels may split sums differently between calls
                    if (Float.isNaN(a[t])) assertThat(b[t]).as(m + " row " + t).isNaN();
                    else assertThat(b[t]).as(m + " row " + t).isCloseTo(a[t], within(1e-4f * Math.max(1f, Math.abs(a[t]))));
                }
                for (int t = 0; t < b.length; t++) assertThat(Float.isNaN(b[t])).as(m + " row " + t).isEqualTo(t < loaded.firstScored());
            }
        }
    }

    @Test
    void eachGroupIsStandardisedByItsOwnTrainingRows() {
        List<Series> series = data(true), clean = data(false);
        AnomalyDetector d = AnomalyDetector.create(config(AnomalyConfig.Method.FORECAST, 1), series, new Rng(1));
        AnomalyDetector fromClean = AnomalyDetector.create(config(AnomalyConfig.Method.FORECAST, 1), clean, new Rng(1));
        double[][] pooled = new double[2][2];   // per column: sum and sum of squares over both groups' training rows
        for (Series s : series) {
            Series n = d.normalise(s), nc = fromClean.normalise(clean.get(series.indexOf(s)));
            for (int k = 0; k < 2; k++) {
                double sum = 0, sq = 0;
                for (int t = 0; t < TRAIN_END; t++) {
                    sum += s.value(k, t);
                    sq += (double) s.value(k, t) * s.value(k, t);
                }
                pooled[k][0] += sum;
                pooled[k][1] += sq;
                double mean = sum / TRAIN_END, sd = Math.sqrt(sq / TRAIN_END - mean * mean);
                for (int t = 0; t < ROWS; t++) {
                    double expected = (s.value(k, t) - mean) / sd;
                    assertThat((double) n.value(k, t)).as(s.group() + " column " + k + " row " + t).isCloseTo(expected, within(1e-3 + 1e-4 * Math.abs(expected)));
                }
                // the event in the test rows changes nothing else
                for (int t = 0; t < ROWS; t++) {
                    boolean event = s.group().equals("high") && k == 0 && t >= EVENT_FROM && t < EVENT_TO;
                    if (!event) assertThat(n.value(k, t)).as(s.group() + " column " + k + " row " + t).isEqualTo(nc.value(k, t));
                }
            }
        }
        // a group never seen gets the statistics of every group's training rows together
        float[][] values = {series.get(0).values()[0].clone(), series.get(0).values()[1].clone()};
        Series unseen = new Series("unseen", values, new float[0][], null, series.get(0).lines());
        Series n = d.normalise(unseen);
        for (int k = 0; k < 2; k++) {
            double mean = pooled[k][0] / (2 * TRAIN_END), sd = Math.sqrt(pooled[k][1] / (2 * TRAIN_END) - mean * mean);
            for (int t = 0; t < ROWS; t += 37) assertThat((double) n.value(k, t)).isCloseTo((values[k][t] - mean) / sd, within(1e-3));
        }
    }

    /** The score is an exponentially weighted mean of the raw scores (those of smoothing 1) with α = 2 / (span + 1). */
    @Test
    void smoothingIsAnExponentiallyWeightedMean() throws Exception {
        List<Series> series = data(true);
        AnomalyDetector raw = AnomalyDetector.create(config(AnomalyConfig.Method.RECONSTRUCTION, 1), series, new Rng(3));
        AnomalyDetector smooth = AnomalyDetector.create(config(AnomalyConfig.Method.RECONSTRUCTION, 3), series, new Rng(4));
        smooth.loadStateDict(tensors(raw));
        raw.calibrate(series);
        smooth.calibrate(series);
        for (Series s : series) {
            float[] r = raw.scores(s), sm = smooth.scores(s);
            int first = raw.firstScored();
            assertThat(sm[first]).isEqualTo(r[first]);
            for (int t = first + 1; t < r.length; t++) assertThat((double) sm[t]).as("row " + t).isCloseTo(0.5 * r[t] + 0.5 * sm[t - 1], within(1e-5 * (1 + r[t])));
            assertThat(sm).isNotEqualTo(r);
        }
    }

    /**
     * Rows 16–23 of each group (16 rows) in batches of 7 (the last of 2), with either method: the parts' gradients
     * weighted by their loss's terms make the whole batch's; three parts of 2 rows leave one empty.
     */
    @Test
    void partsOfABatchCombineToTheWholeBatchWithEitherMethod() {
        List<Series> series = data(false);
        for (AnomalyConfig.Method method : AnomalyConfig.Method.values()) {
            var c = config(method, 1);
            var few = new AnomalyConfig(c.spec(), c.method(), c.context(), c.cell(), 6, c.numLayers(), c.dropout(), new int[] {0, CONTEXT + 8}, c.validRows(),
                    c.smoothing(), c.rule());
            assertThat(new AnomalyTraining(AnomalyDetector.create(few, series, new Rng(3)), series, 7, 1, "waves").rows()).isEqualTo(16);
            double worst = dev.recur.train.PartsCheck.check(() -> new AnomalyTraining(AnomalyDetector.create(few, series, new Rng(3)), series, 7, 1, "waves"), 4, 3, 1e-5);
            assertThat(worst).as("%s", method).isLessThan(1e-5);
        }
    }

    @Test
    void aDynamicRuleDetectorReopensWithoutAThreshold() throws Exception {
        List<Series> series = data(true);
        var c = config(AnomalyConfig.Method.FORECAST, 1);
        c = new AnomalyConfig(c.spec(), c.method(), c.context(), c.cell(), c.hiddenSize(), c.numLayers(), c.dropout(), c.trainRows(), c.validRows(),
                2, ThresholdRule.parse("dynamic"));
        AnomalyDetector d = AnomalyDetector.create(c, series, new Rng(2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.threshold(ThresholdRule.parse("max:1"), new float[0]))
                .isInstanceOf(IllegalStateException.class);
        d.calibrate(series);
        assertThat(d.threshold()).isNaN();
        Path file = dir.resolve("dynamic.safetensors");
        ModelFile.write(file, d.configJson(), tensors(d));
        AnomalyDetector loaded = Models.open(file, AnomalyDetector.class);
        assertThat(loaded.threshold()).isNaN();
        assertThat(loaded.config().rule()).isEqualTo(ThresholdRule.parse("dynamic"));
        var max = ThresholdRule.parse("max:1");
        assertThat(loaded.threshold(max, new float[0])).isEqualTo(d.threshold(max, new float[0]));
        assertThat(loaded.scores(series.get(0))).containsExactly(d.scores(series.get(0)));
    }
}
