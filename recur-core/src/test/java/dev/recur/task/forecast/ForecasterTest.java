package dev.recur.task.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.GradCheck;
import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.autograd.Tape;
import dev.recur.data.Csv;
import dev.recur.io.ModelFile;
import dev.recur.nn.CellType;
import dev.recur.optim.OptimizerType;
import dev.recur.optim.ScheduleType;
import dev.recur.task.Models;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import dev.recur.train.RunFiles;
import dev.recur.train.TrainingPlan;
import dev.recur.train.TrainingRecipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForecasterTest {
    @TempDir
    Path dir;

    private static ForecasterConfig config(SeriesSpec spec, int context, int horizon, int season, ForecasterConfig.Head head, int test, int valid, int stride) {
        float[] levels = head.probabilistic() ? new float[] {0.1f, 0.5f, 0.9f} : new float[0];
        return new ForecasterConfig(spec, context, horizon, season, ForecasterConfig.Scaling.MEAN_ABS, head, levels, ForecasterConfig.Decoder.DIRECT, CellType.LSTM, 8, 1, 0f, test, valid, stride);
    }

    private static List<Series> bundled(String name, SeriesSpec spec) throws IOException {
        return SeriesReader.read(Csv.read(Path.of("../data/" + name + "/" + name + ".csv.gz")), spec, false);
    }

    private static Forecaster untrained(ForecasterConfig c, List<Series> series) {
        return new Forecaster(c, Forecaster.Normalisation.of(series, ForecastTraining.trainEnds(c, series), 0), new Rng(1));
    }

    /** The baselines scored beside the model on the bundled sets equal those tools/reference/ts_baselines.py prints. */
    @Test
    void baselinesOnTheBundledSetsMatchTheReferenceScript() throws IOException {
        var sunSpec = new SeriesSpec(List.of("sunspots"), "year", List.of(), false, null, SeriesSpec.Fill.NONE);
        var sun = bundled("sunspots", sunSpec);
        var r = Backtest.run(untrained(config(sunSpec, 10, 1, 11, ForecasterConfig.Head.MSE, 67, 30, 1), sun), sun, 67, 1, 11);
        assertThat(r.origins()).isEqualTo(67);
        assertThat(r.naive().mse()).isCloseTo(920.7, within(0.05));
        assertThat(r.naive().mae()).isCloseTo(22.96, within(0.005));

        var elecSpec = new SeriesSpec(List.of("demand"), "time", List.of(), false, null, SeriesSpec.Fill.NONE);
        var elec = bundled("electricity", elecSpec);
        var e = Backtest.run(untrained(config(elecSpec, 10, 48, 336, ForecasterConfig.Head.GAUSSIAN, 672, 336, 48), elec), elec, 672, 48, 336);
        assertThat(e.origins()).isEqualTo(14);
        assertThat(e.pairs()).isEqualTo(672);
        assertThat(e.seasonalNaive().mape()).isCloseTo(1.73, within(0.005));
        assertThat(e.seasonalNaive().rmse()).isCloseTo(648, within(0.5));
        assertThat(e.naive().mape()).isCloseTo(17.86, within(0.005));
        assertThat(e.model().coverage80()).isBetween(0.0, 1.0);

        var airSpec = new SeriesSpec(List.of("passengers"), "month", List.of(), false, null, SeriesSpec.Fill.NONE);
        var air = bundled("air-passengers", airSpec);
        var a = Backtest.run(untrained(config(airSpec, 24, 24, 12, ForecasterConfig.Head.MSE, 24, 12, 24), air), air, 24, 24, 12);
        assertThat(a.origins()).isEqualTo(1);
        assertThat(a.seasonalNaive().mape()).isCloseTo(15.52, within(0.005));

        var birthSpec = new SeriesSpec(List.of("births"), "date", List.of(), false, null, SeriesSpec.Fill.NONE);
        var births = bundled("births", birthSpec);
        var b = Backtest.run(untrained(config(birthSpec, 10, 1, 7, ForecasterConfig.Head.MSE, 366, 365, 1), births), births, 366, 1, 7);
        assertThat(b.seasonalNaive().mape()).isCloseTo(3.11, within(0.005));
        assertThat(b.naive().mape()).isCloseTo(9.02, within(0.005));
    }

    /** Two seasonal series with different levels in one file; one global model. */
    private static List<Series> waves() {
        var csv = new StringBuilder("t,g,y\n");
        var rng = new Rng(3);
        for (String g : new String[] {"a", "b"}) {
            double level = g.equals("a") ? 10 : 200;
            for (int t = 0; t < 300; t++) {
                double y = level * (1 + 0.3 * Math.sin(2 * Math.PI * t / 12) + 0.2 * Math.sin(2 * Math.PI * t / 37)) + level * 0.02 * rng.nextGaussian();
                csv.append(t).append(',').append(g).append(',').append(y).append('\n');
            }
        }
        return SeriesReader.read(Csv.parse(csv.toString(), ','), new SeriesSpec(List.of("y"), "t", List.of(), false, "g", SeriesSpec.Fill.NONE), false);
    }

    @Test
    void learnsSeasonalSeriesAtTwoLevelsBetterThanTheBaselines() throws IOException {
        List<Series> series = waves();
        var c = new ForecasterConfig(series.get(0) == null ? null : new SeriesSpec(List.of("y"), "t", List.of(), false, "g", SeriesSpec.Fill.NONE),
                24, 3, 12, ForecasterConfig.Scaling.MEAN_ABS, ForecasterConfig.Head.GAUSSIAN, new float[] {0.1f, 0.5f, 0.9f}, ForecasterConfig.Decoder.DIRECT, CellType.LSTM, 16, 1, 0f, 30, 20, 1);
        Forecaster model = untrained(c, series);
        var task = new ForecastTraining(model, series, 16, 1, "waves");
        var plan = new TrainingPlan(400, 0, null, OptimizerType.ADAM, 0.005f, 1.0, ScheduleType.CONSTANT, 0, 0.2, 100, 0, 0);
        TrainingRecipe.run(task, plan, RunFiles.of(dir.resolve("w.safetensors"), "w").prepare(), null, new ArrayList<>());
        Backtest.Result r = task.testResult();
        assertThat(r.origins()).isEqualTo(60);
        assertThat(r.model().mase()).as("model %s, seasonal naive %s", r.model(), r.seasonalNaive()).isLessThan(0.8 * r.seasonalNaive().mase());
        assertThat(r.model().mase()).isLessThan(0.5 * r.naive().mase());
        assertThat(r.model().coverage80()).as("80%% interval coverage").isBetween(0.6, 0.97);

        double spread = task.calibrateIntervals();
        assertThat(spread).isPositive().isNotEqualTo(1.0);
        var beforeTest = series.stream().map(s -> s.head(s.length() - 30)).toList();
        double validCoverage = Backtest.run(model, beforeTest, 20, 1, 12).model().coverage80();
        assertThat(validCoverage).as("after calibration the validation pairs are covered 80%% of the time").isCloseTo(0.8, within(0.02));

        var tensors = new LinkedHashMap<String, Tensor>();
        model.namedParameters().forEach((name, p) -> tensors.put(name, p.value()));
        Path file = dir.resolve("f.safetensors");
        ModelFile.write(file, model.configJson(), tensors);
        Forecaster loaded = Models.open(file, Forecaster.class);
        var window = List.of(new Forecaster.Window(series.get(1), 250));
        // The same weights; the kernels may split sums differently between runs, so equal to float rounding.
        assertThat(loaded.forecast(window).mean()).containsExactly(model.forecast(window).mean(), org.assertj.core.data.Offset.offset(1e-3f));
        assertThat(loaded.forecast(window).quantiles()[2]).containsExactly(model.forecast(window).quantiles()[2], org.assertj.core.data.Offset.offset(1e-3f));
        assertThat(loaded.config().describe()).isEqualTo(model.config().describe());
        assertThat(loaded.spread()).isCloseTo(spread, within(1e-6));
    }

    @Test
    void autoregressiveGaussianPathsBeatTheSeasonalNaiveForecastAndSurviveSaving() throws IOException {
        List<Series> series = waves();
        var c = new ForecasterConfig(new SeriesSpec(List.of("y"), "t", List.of(), false, "g", SeriesSpec.Fill.NONE), 24, 3, 12, ForecasterConfig.Scaling.MEAN_ABS,
                ForecasterConfig.Head.GAUSSIAN, new float[] {0.1f, 0.5f, 0.9f}, ForecasterConfig.Decoder.AUTOREGRESSIVE, CellType.LSTM, 16, 1, 0f, 30, 20, 1);
        Forecaster model = untrained(c, series);
        var task = new ForecastTraining(model, series, 16, 1, "waves");
        // Learning the season through the recurrent state takes longer than the direct head's linear path from the last values.
        var plan = new TrainingPlan(1000, 0, null, OptimizerType.ADAM, 0.005f, 1.0, ScheduleType.CONSTANT, 0, 0.2, 250, 0, 0);
        TrainingRecipe.run(task, plan, RunFiles.of(dir.resolve("ar.safetensors"), "ar").prepare(), null, new ArrayList<>());
        double spread = task.calibrateIntervals();
        assertThat(spread).isPositive().isNotEqualTo(1.0);
        var beforeTest = series.stream().map(s -> s.head(s.length() - 30)).toList();
        assertThat(Backtest.run(model, beforeTest, 20, 1, 12).model().coverage80()).as("calibrated on these pairs").isCloseTo(0.8, within(0.02));
        Backtest.Result r = task.testResult();
        assertThat(r.model().mase()).as("model %s, seasonal naive %s", r.model(), r.seasonalNaive()).isLessThan(0.5 * r.seasonalNaive().mase());
        assertThat(r.model().coverage80()).as("80%% interval coverage on the test period").isBetween(0.65, 0.95);

        var tensors = new LinkedHashMap<String, Tensor>();
        model.namedParameters().forEach((name, p) -> tensors.put(name, p.value()));
        Path file = dir.resolve("ar-f.safetensors");
        ModelFile.write(file, model.configJson(), tensors);
        Forecaster loaded = Models.open(file, Forecaster.class);
        assertThat(loaded.config().decoder()).isEqualTo(ForecasterConfig.Decoder.AUTOREGRESSIVE);
        var windows = List.of(new Forecaster.Window(series.get(1), 250), new Forecaster.Window(series.get(0), 200));
        Forecaster.Forecast before = model.forecast(windows), after = loaded.forecast(windows);
        // equal to float rounding: the kernels may split sums differently between calls
        var close = org.assertj.core.data.Offset.offset(1e-2f);
        assertThat(after.mean()).containsExactly(before.mean(), close);
        for (int q = 0; q < 3; q++) assertThat(after.quantiles()[q]).containsExactly(before.quantiles()[q], close);
        assertThat(loaded.forecast(windows.subList(0, 1)).mean()).as("a window's paths do not depend on the batch")
                .containsExactly(Arrays.copyOf(before.mean(), 3), close);

        var old = model.configJson();
        old.remove("decoder");
        assertThat(Forecaster.fromJson(old).config().decoder()).as("a file without \"decoder\"").isEqualTo(ForecasterConfig.Decoder.DIRECT);
    }

    @Test
    void everyHeadTrainsAndReportsOrderedQuantilesWithEitherDecoder() {
        List<Series> series = waves();
        var spec = new SeriesSpec(List.of("y"), "t", List.of(), false, "g", SeriesSpec.Fill.NONE);
        for (ForecasterConfig.Decoder decoder : ForecasterConfig.Decoder.values()) {
            for (ForecasterConfig.Head head : ForecasterConfig.Head.values()) {
                String name = decoder + " " + head;
                Forecaster model = untrained(withDecoder(config(spec, 12, 4, 3, head, 20, 20, 1), decoder), series);
                var windows = List.of(new Forecaster.Window(series.get(0), 100), new Forecaster.Window(series.get(1), 150));
                var loss = model.loss(windows);
                loss.backward();
                assertThat(loss.value().item()).as(name).isFinite();
                for (String p : new String[] {"head.weight", "rnn.weight_ih_l0"}) {
                    assertThat(model.namedParameters().get(p).grad().toArray()).as(name + " " + p).isNotEqualTo(new float[model.namedParameters().get(p).value().size()]);
                }
                Forecaster.Forecast f = model.forecast(windows);
                for (int i = 0; i < f.mean().length; i++) {
                    assertThat(f.mean()[i]).as(name).isFinite();
                    if (!head.probabilistic()) continue;
                    assertThat(f.quantiles()[0][i]).as(name).isLessThanOrEqualTo(f.quantiles()[1][i]);
                    assertThat(f.quantiles()[1][i]).as(name).isLessThanOrEqualTo(f.quantiles()[2][i]);
                    assertThat(f.quantiles()[2][i]).as(name).isGreaterThan(f.quantiles()[0][i]);
                }
            }
        }
    }

    private static ForecasterConfig withDecoder(ForecasterConfig c, ForecasterConfig.Decoder decoder) {
        return new ForecasterConfig(c.spec(), c.context(), c.horizon(), c.season(), c.scaling(), c.head(), c.quantiles(), decoder, c.cell(), c.hiddenSize(),
                c.numLayers(), c.dropout(), c.testSize(), c.validSize(), c.stride());
    }

    /** Two targets and a covariate, 20 points. */
    private static Series tiny() {
        var rng = new Rng(5);
        float[][] values = new float[2][20], covariates = new float[1][20];
        for (int t = 0; t < 20; t++) {
            values[0][t] = (float) (5 + Math.sin(t) + 0.3 * rng.nextGaussian());
            values[1][t] = (float) (-2 + Math.cos(0.7 * t) + 0.3 * rng.nextGaussian());
            covariates[0][t] = t % 3;
        }
        return new Series("", values, covariates, null, new long[20]);
    }

    /**
     * The tiny series' 9 training windows in batches of 4 (the last of 1), two targets and a covariate, with the
     * direct quantile head and the autoregressive Gaussian one: the parts' gradients weighted by their loss's terms
     * make the whole batch's; three parts of 1 window leave two empty.
     */
    @Test
    void partsOfABatchCombineToTheWholeBatch() {
        var series = List.of(tiny());
        var spec = new SeriesSpec(List.of("a", "b"), null, List.of("x"), false, null, SeriesSpec.Fill.NONE);
        for (ForecasterConfig.Decoder decoder : ForecasterConfig.Decoder.values()) {
            var head = decoder == ForecasterConfig.Decoder.DIRECT ? ForecasterConfig.Head.QUANTILE : ForecasterConfig.Head.GAUSSIAN;
            var c = new ForecasterConfig(spec, 4, 2, 2, ForecasterConfig.Scaling.STANDARD, head, new float[] {0.1f, 0.5f, 0.9f},
                    decoder, CellType.LSTM, 3, 1, 0f, 2, 2, 1);
            assertThat(new ForecastTraining(untrained(c, series), series, 4, 1, "tiny").windows()).isEqualTo(9);
            double worst = dev.recur.train.PartsCheck.check(() -> new ForecastTraining(untrained(c, series), series, 4, 1, "tiny"), 4, 3, 1e-5);
            assertThat(worst).as("%s decoder, %s head", decoder, head).isLessThan(1e-5);
        }
    }

    @Test
    void autoregressiveLossMatchesFiniteDifferences() {
        var series = List.of(tiny());
        var spec = new SeriesSpec(List.of("a", "b"), null, List.of("x"), false, null, SeriesSpec.Fill.NONE);
        for (ForecasterConfig.Head head : new ForecasterConfig.Head[] {ForecasterConfig.Head.GAUSSIAN, ForecasterConfig.Head.STUDENT_T}) {
            var c = new ForecasterConfig(spec, 4, 2, 2, ForecasterConfig.Scaling.STANDARD, head, new float[] {0.1f, 0.5f, 0.9f},
                    ForecasterConfig.Decoder.AUTOREGRESSIVE, CellType.LSTM, 3, 1, 0f, 2, 2, 1);
            Forecaster model = untrained(c, series);
            var windows = List.of(new Forecaster.Window(series.get(0), 6), new Forecaster.Window(series.get(0), 11));
            GradCheck.of(() -> model.loss(windows)).withRespectTo(model.namedParameters()).assertMatches(Tolerance.relative(1e-2).absolute(1e-3));
        }
    }

    /**
     * With a point head and horizon 1 the forecast is the teacher-forced prediction of the training loss, from the state
     * the context leaves: the loss is a parabola in the one value no input reads, y_{o+1}, with its vertex there.
     */
    @Test
    void autoregressiveForecastContinuesTheTeacherForcedState() {
        List<Series> series = waves();
        var spec = new SeriesSpec(List.of("y"), "t", List.of(), false, "g", SeriesSpec.Fill.NONE);
        var c = new ForecasterConfig(spec, 8, 1, 3, ForecasterConfig.Scaling.STANDARD, ForecasterConfig.Head.MSE, null, ForecasterConfig.Decoder.AUTOREGRESSIVE,
                CellType.GRU, 6, 1, 0f, 20, 20, 1);
        Forecaster model = untrained(c, series);
        var window = new Forecaster.Window(series.get(1), 120);
        Forecaster.Scales scales = model.scales(List.of(window));
        float scale = scales.scale()[0], shift = scales.shift()[0];
        double[] z = {0, 1}, loss = new double[2];   // y_{o+1} in scaled units
        for (int i = 0; i < 2; i++) {
            float[][] values = {window.series().values()[0].clone()};
            values[0][window.origin() + 1] = (float) (shift + scale * z[i]);
            var changed = new Series("b", values, new float[0][], null, window.series().lines());
            try (var off = Tape.noGrad()) {
                loss[i] = model.loss(List.of(new Forecaster.Window(changed, window.origin()))).value().item();
            }
        }
        // L·loss(z) = const + (p − z)² over the L = 8 steps o − 6 … o + 1, so L·Δloss = (z₂ − z₁)(z₁ + z₂ − 2p).
        double p = (z[0] + z[1] - 8 * (loss[1] - loss[0]) / (z[1] - z[0])) / 2;
        assertThat((model.forecast(List.of(window)).mean(0, 0, 0) - shift) / scale).isCloseTo((float) p, within(1e-3f));
    }

    @Test
    void quantilePathsDrawThroughTheInterpolatedQuantileFunction() {
        float[] levels = {0.1f, 0.5f, 0.9f}, q = {1, 2, 4};
        assertThat(AutoregressiveDecoder.inverseCdf(levels, q, 0.5)).isCloseTo(2f, within(1e-6f));
        assertThat(AutoregressiveDecoder.inverseCdf(levels, q, 0.3)).isCloseTo(1.5f, within(1e-6f));
        assertThat(AutoregressiveDecoder.inverseCdf(levels, q, 0.7)).isCloseTo(3f, within(1e-6f));
        assertThat(AutoregressiveDecoder.inverseCdf(levels, q, 0.0)).as("below the first level: the first segment's slope").isCloseTo(0.75f, within(1e-6f));
        assertThat(AutoregressiveDecoder.inverseCdf(levels, q, 1.0)).as("above the last level: the last segment's slope").isCloseTo(4.5f, within(1e-6f));
        assertThat(AutoregressiveDecoder.inverseCdf(new float[] {0.5f}, new float[] {3}, 0.9)).isEqualTo(3f);
    }
}
