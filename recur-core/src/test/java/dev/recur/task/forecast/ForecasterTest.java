package dev.recur.task.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForecasterTest {
    @TempDir
    Path dir;

    private static ForecasterConfig config(SeriesSpec spec, int context, int horizon, int season, ForecasterConfig.Head head, int test, int valid, int stride) {
        float[] levels = head.probabilistic() ? new float[] {0.1f, 0.5f, 0.9f} : new float[0];
        return new ForecasterConfig(spec, context, horizon, season, ForecasterConfig.Scaling.MEAN_ABS, head, levels, CellType.LSTM, 8, 1, 0f, test, valid, stride);
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
                24, 3, 12, ForecasterConfig.Scaling.MEAN_ABS, ForecasterConfig.Head.GAUSSIAN, new float[] {0.1f, 0.5f, 0.9f}, CellType.LSTM, 16, 1, 0f, 30, 20, 1);
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
        assertThat(loaded.forecast(window).mean()).containsExactly(model.forecast(window).mean());
        assertThat(loaded.forecast(window).quantiles()[2]).containsExactly(model.forecast(window).quantiles()[2]);
        assertThat(loaded.config().describe()).isEqualTo(model.config().describe());
        assertThat(loaded.spread()).isCloseTo(spread, within(1e-6));
    }

    @Test
    void everyHeadTrainsAndReportsOrderedQuantiles() {
        List<Series> series = waves();
        var spec = new SeriesSpec(List.of("y"), "t", List.of(), false, "g", SeriesSpec.Fill.NONE);
        for (ForecasterConfig.Head head : ForecasterConfig.Head.values()) {
            Forecaster model = untrained(config(spec, 12, 2, 12, head, 20, 20, 1), series);
            var windows = List.of(new Forecaster.Window(series.get(0), 100), new Forecaster.Window(series.get(1), 150));
            var loss = model.loss(windows);
            loss.backward();
            assertThat(loss.value().item()).as(head.name()).isFinite();
            assertThat(model.namedParameters().get("head.weight").grad().toArray()).as(head.name()).isNotEqualTo(new float[model.namedParameters().get("head.weight").value().size()]);
            Forecaster.Forecast f = model.forecast(windows);
            if (head.probabilistic()) {
                for (int i = 0; i < f.mean().length; i++) {
                    assertThat(f.quantiles()[0][i]).as(head.name()).isLessThanOrEqualTo(f.quantiles()[1][i]);
                    assertThat(f.quantiles()[1][i]).as(head.name()).isLessThanOrEqualTo(f.quantiles()[2][i]);
                }
            }
        }
    }
}
