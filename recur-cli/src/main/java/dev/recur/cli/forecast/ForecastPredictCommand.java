package dev.recur.cli.forecast;

import dev.recur.cli.SeriesOptions;
import dev.recur.task.Models;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.forecast.ForecasterConfig;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.SeriesReader;
import dev.recur.tensor.InvalidOptionException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Forecast the next points after the end of each series in a file, as CSV: mean and quantiles.",
        footer = {"%nOutput: one row per series, step and target: [group,]time,target,mean and a column per quantile",
                "(q0.1, q0.5, q0.9 for a probabilistic model). A model with covariates needs their future values: rows at",
                "the end of the file with the covariates filled and the targets empty. A --horizon beyond the model's is",
                "reached by feeding its mean forecasts back as observations.",
                "%nExamples:",
                "  recur forecast predict --model electricity-forecaster.safetensors --data electricity --plot next-day.png",
                "  recur forecast predict --model sales.safetensors --data sales.csv --horizon 28 > next-4-weeks.csv"})
public final class ForecastPredictCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "A forecaster written by `recur forecast train`.")
    Path model;

    @Option(names = "--data", paramLabel = "SPEC", required = true, description = "A bundled data set or a CSV file with the model's columns.")
    String data;

    @Option(names = "--horizon", paramLabel = "H", description = "Points to forecast (default: the model's).")
    Integer horizon;

    @Option(names = "--plot", paramLabel = "FILE", description = "Draw the history, the forecast and its 80% interval as a PNG (the first series, or --group's).")
    Path plot;

    @Option(names = "--group", paramLabel = "NAME", description = "The series --plot draws, by its group column's value.")
    String group;

    /** One series' forecast: means and quantiles per step and target. */
    public record Prediction(Series series, float[][] mean, float[][][] quantiles) {}

    @Override
    public Integer call() throws Exception {
        Forecaster forecaster = Models.open(model, Forecaster.class);
        ForecasterConfig c = forecaster.config();
        int h = horizon != null ? horizon : c.horizon();
        if (h < 1) throw new InvalidOptionException("--horizon must be at least 1, got " + h);
        List<Series> all = SeriesReader.read(SeriesOptions.read(data, ForecastCommand.bundled()), c.spec(), true);
        var results = new ArrayList<Prediction>();
        for (Series s : all) {
            if (s.length() < c.history()) {
                throw new dev.recur.data.InvalidDataException(data + ": " + s.describe(c.spec().groupColumn()) + " has " + s.length()
                        + " points; the model reads " + c.history() + " before forecasting");
            }
            if (!c.spec().covariates().isEmpty() && s.future() < h) {
                throw new dev.recur.data.InvalidDataException(data + ": the model reads covariates " + String.join(", ", c.spec().covariates()) + ", so a forecast of "
                        + h + " points needs their values: add " + h + " rows at the end of " + s.describe(c.spec().groupColumn())
                        + " with the covariates filled and the targets empty (it has " + s.future() + ")");
            }
            results.add(forecast(forecaster, s, h));
        }
        write(System.out, c, results);
        if (plot != null) {
            Prediction p = results.stream().filter(r -> group == null || r.series().group().equals(group)).findFirst()
                    .orElseThrow(() -> new InvalidOptionException("--group " + group + " names no series of " + data));
            ForecastPlot.write(plot, data, c, p.series(), p.mean(), p.quantiles());
            System.err.println("forecast drawn in " + plot);
        }
        return 0;
    }

    /** Forecasts h points after the end of {@code s}, feeding mean forecasts back when h exceeds the model's horizon. */
    public static Prediction forecast(Forecaster f, Series s, int h) {
        ForecasterConfig c = f.config();
        int n = c.targets(), levels = c.quantiles().length;
        float[][] mean = new float[h][n];
        float[][][] q = new float[levels][h][n];
        Series current = s;
        for (int done = 0; done < h; ) {
            Forecaster.Forecast p = f.forecast(List.of(new Forecaster.Window(current, current.length() - 1)));
            int take = Math.min(c.horizon(), h - done);
            float[][] values = new float[n][];
            for (int k = 0; k < n; k++) values[k] = Arrays.copyOf(current.values()[k], current.length() + take);
            for (int step = 0; step < take; step++) {
                for (int k = 0; k < n; k++) {
                    mean[done + step][k] = p.mean(0, step, k);
                    values[k][current.length() + step] = p.mean(0, step, k);
                    for (int l = 0; l < levels; l++) q[l][done + step][k] = p.quantile(l, 0, step, k);
                }
            }
            long[] lines = Arrays.copyOf(current.lines(), Math.max(current.lines().length, current.length() + take));
            current = new Series(current.group(), values, current.covariates(), current.time(), lines);
            done += take;
        }
        return new Prediction(s, mean, q);
    }

    private static void write(PrintStream out, ForecasterConfig c, List<Prediction> results) {
        var header = new ArrayList<String>();
        if (c.spec().groupColumn() != null) header.add(c.spec().groupColumn());
        header.add(c.spec().timeColumn() != null ? c.spec().timeColumn() : "point");
        header.addAll(List.of("target", "mean"));
        for (float level : c.quantiles()) header.add("q" + trim(level));
        out.println(String.join(",", header));
        for (Prediction r : results) {
            Series s = r.series();
            for (int step = 0; step < r.mean().length; step++) {
                int t = s.length() + step;
                for (int k = 0; k < c.targets(); k++) {
                    var row = new ArrayList<String>();
                    if (c.spec().groupColumn() != null) row.add(s.group());
                    row.add(s.time() != null ? s.time().label(t) : Integer.toString(t));
                    row.add(c.spec().targets().get(k));
                    row.add(trim(r.mean()[step][k]));
                    for (float[][] level : r.quantiles()) row.add(trim(level[step][k]));
                    out.println(String.join(",", row));
                }
            }
        }
    }

    public static String trim(float v) {
        String s = String.format(Locale.ROOT, "%.6g", v);
        if (s.contains("e")) return s;
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
}
