package dev.recur.cli.forecast;

import dev.recur.cli.CommonOptions;
import dev.recur.cli.SeriesOptions;
import dev.recur.cli.TrainingOptions;
import dev.recur.data.Table;
import dev.recur.nn.CellType;
import dev.recur.task.Models;
import dev.recur.task.forecast.Backtest;
import dev.recur.task.forecast.ForecastTraining;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.forecast.ForecasterConfig;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.SeriesReader;
import dev.recur.task.forecast.SeriesSpec;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import dev.recur.train.Metrics;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a forecaster: an LSTM/GRU over the last --context points of each window, a head for the next --horizon points.",
        footer = {"%n--data is a bundled data set (sunspots, electricity, air-passengers, births, macro: each with its documented",
                "test period, horizon and season as defaults) or a CSV file with a header. The last --test-size points of every",
                "series are the test period, the --valid-size points before them validation (early stopping, best weights kept),",
                "the rest training. After training the test period is backtested from every origin (--stride apart) beside the",
                "naive and seasonal-naive forecasts.",
                "%nExamples:",
                "  recur forecast train --data sunspots --time 5m",
                "  recur forecast train --data births --likelihood student-t --calendar --time 10m",
                "  recur forecast train --data sunspots --decoder autoregressive --likelihood student-t --time 5m",
                "  recur forecast train --data macro --target realgdp,realcons,realinv --time 5m",
                "  recur forecast train --data sales.csv --target units --covariates price,promo --calendar \\",
                "      --group-column store --horizon 14 --test-size 28 --time 10m --out sales.safetensors"})
public final class ForecastTrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    TrainingOptions training;

    @Mixin
    SeriesOptions series;

    @Option(names = "--target", paramLabel = "COL", split = ",",
            description = "Column(s) to forecast, jointly (default: every numeric column but the time, group and covariates).")
    List<String> targets;

    @Option(names = "--horizon", paramLabel = "H", description = "Points forecast from each origin (default: the bundled set's, else 1).")
    Integer horizon;

    @Option(names = "--context", paramLabel = "L", description = "Points the encoder reads before each origin (default: max(30, 2H, and 2 seasons for a season up to 60), at most half the training points).")
    Integer context;

    @Option(names = "--test-size", paramLabel = "N", description = "Points at the end of each series for the backtest (default: the bundled set's, else max(H, a tenth of the shortest series)).")
    Integer testSize;

    @Option(names = "--valid-size", paramLabel = "N", description = "Points before the test period for validation (default: the test size, at most a fifth of the rest, at least H).")
    Integer validSize;

    @Option(names = "--stride", paramLabel = "S", description = "Points between backtest origins (default: 1, or the bundled set's).")
    Integer stride;

    @Option(names = "--season", paramLabel = "M", description = "Seasonal period for the seasonal-naive baseline and inputs; 0 = none (default: from the time step: "
            + "48 half-hours, 24 hours, 7 days, 12 months, 4 quarters; the bundled set's).")
    Integer season;

    @Option(names = "--scaling", paramLabel = "MODE", defaultValue = "mean-abs",
            description = "Per-window scaling: mean-abs (divide by the mean absolute value, as DeepAR) or standard (default: ${DEFAULT-VALUE}).")
    String scaling;

    @Option(names = "--loss", paramLabel = "NAME", defaultValue = "mse", description = "Point forecast loss: mse or mae (default: ${DEFAULT-VALUE}).")
    String loss;

    @Option(names = "--likelihood", paramLabel = "NAME", description = "A probabilistic forecast: gaussian or student-t, trained on the negative log-likelihood.")
    String likelihood;

    @Option(names = "--quantiles", paramLabel = "Q", split = ",",
            description = "Without --likelihood: forecast these quantiles (pinball loss), e.g. 0.1,0.5,0.9; with it, the quantiles reported (default: 0.1,0.5,0.9).")
    List<Float> quantiles;

    @Option(names = "--decoder", paramLabel = "NAME", defaultValue = "direct",
            description = "direct (one head forecasts all H steps at once) or autoregressive (one step at a time, each reading the value "
                    + "before it, as DeepAR; a probabilistic model forecasts from 100 sampled paths) (default: ${DEFAULT-VALUE}).")
    String decoder;

    @Option(names = "--cell", paramLabel = "TYPE", defaultValue = "lstm", description = "lstm or gru (default: ${DEFAULT-VALUE}).")
    CellType cell;

    @Option(names = "--hidden", paramLabel = "H", defaultValue = "64", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "1", description = "Stacked layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.1", description = "Dropout on the encoder's output (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", description = "Windows per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        training.plan();
        if (batch < 1) throw new InvalidOptionException("--batch must be at least 1, got " + batch);
        var bundled = ForecastCommand.BUNDLED.get(series.data);
        Table table = SeriesOptions.read(series.data, ForecastCommand.bundled());
        SeriesSpec spec = series.spec(table, targets, "--target");
        List<Series> all = SeriesReader.read(table, spec, false);
        ForecasterConfig config = config(spec, all, bundled);
        String name = series.name(ForecastCommand.bundled());
        Forecaster model = training.resume != null ? Models.open(training.resume, Forecaster.class) : newModel(config, all);
        var task = new ForecastTraining(model, all, batch, common.seed, table.source());
        say("%s: %d series, %,d points; %,d training windows, validation %d and test %d points per series", name, all.size(),
                all.stream().mapToInt(Series::length).sum(), task.windows(), config.validSize(), config.testSize());
        say("%s, %,d parameters", model, model.parameterCount());
        String axis = switch (config.head()) {
            case GAUSSIAN, STUDENT_T -> "negative log-likelihood (scaled values)";
            case QUANTILE -> "pinball loss (scaled values)";
            default -> config.head().option().toUpperCase(Locale.ROOT) + " (scaled values)";
        };
        var display = new TrainingOptions.Display("pts", 1, axis, "forecaster on " + name, ForecastTrainCommand::describe, step -> null);
        var files = training.files(name + "-forecaster.safetensors");
        training.train(task, files, display, common.quiet);
        if (config.head().probabilistic() && config.hasInterval()) {
            double spread = task.calibrateIntervals();
            dev.recur.io.ModelFile.write(files.model(), model.configJson(), model.stateDict());
            say("intervals calibrated on the validation period: %.3f times the head's width", spread);
        }
        Backtest.Result test = task.testResult();
        System.out.print(ForecastEvalCommand.report(test));
        return 0;
    }

    static String describe(Metrics m) {
        return String.format(Locale.ROOT, "MASE %.4f, MAE %.4g, MAPE %.2f%%", m.get("mase"), m.get("mae"), m.values().getOrDefault("mape", Double.NaN));
    }

    private Forecaster newModel(ForecasterConfig config, List<Series> all) {
        int calendar = config.spec().calendar() ? all.get(0).time().calendarSize() : 0;
        var norm = Forecaster.Normalisation.of(all, ForecastTraining.trainEnds(config, all), calendar);
        return new Forecaster(config, norm, new Rng(common.seed));
    }

    /** The configuration from the options, with defaults fitted to the data. */
    private ForecasterConfig config(SeriesSpec spec, List<Series> all, ForecastCommand.Bundled bundled) {
        int shortest = all.stream().mapToInt(Series::length).min().orElseThrow();
        int h = orElse(horizon, bundled == null ? 1 : bundled.horizon());
        int test = orElse(testSize, bundled == null ? Math.max(h, shortest / 10) : bundled.testSize());
        int valid = orElse(validSize, bundled == null ? Math.max(h, Math.min(test, (shortest - test) / 5)) : bundled.validSize());
        int m = orElse(season, bundled != null ? bundled.season() : spec.timeColumn() == null ? 0 : all.get(0).time().season());
        int trainPoints = shortest - test - valid;
        int l = orElse(context, Math.max(2, Math.min(Math.max(Math.max(30, 2 * h), m <= 60 ? 2 * m : 0), (trainPoints - m) / 2)));
        if (m > 0 && m < 2) throw new InvalidOptionException("--season must be 0 (none) or at least 2, got " + m);
        float[] levels = quantiles == null ? new float[] {0.1f, 0.5f, 0.9f} : toArray(quantiles);
        ForecasterConfig.Head head;
        if (likelihood != null) {
            head = switch (likelihood.toLowerCase(Locale.ROOT)) {
                case "gaussian", "normal" -> ForecasterConfig.Head.GAUSSIAN;
                case "student-t", "studentt", "student_t", "t" -> ForecasterConfig.Head.STUDENT_T;
                default -> throw new InvalidOptionException("--likelihood must be gaussian or student-t, got " + likelihood);
            };
        } else if (quantiles != null) {
            head = ForecasterConfig.Head.QUANTILE;
        } else {
            head = switch (loss.toLowerCase(Locale.ROOT)) {
                case "mse" -> ForecasterConfig.Head.MSE;
                case "mae" -> ForecasterConfig.Head.MAE;
                default -> throw new InvalidOptionException("--loss must be mse or mae, got " + loss);
            };
            levels = new float[0];
        }
        var scale = switch (scaling.toLowerCase(Locale.ROOT)) {
            case "mean-abs", "mean_abs", "meanabs" -> ForecasterConfig.Scaling.MEAN_ABS;
            case "standard" -> ForecasterConfig.Scaling.STANDARD;
            default -> throw new InvalidOptionException("--scaling must be mean-abs or standard, got " + scaling);
        };
        var dec = switch (decoder.toLowerCase(Locale.ROOT)) {
            case "direct" -> ForecasterConfig.Decoder.DIRECT;
            case "autoregressive", "ar" -> ForecasterConfig.Decoder.AUTOREGRESSIVE;
            default -> throw new InvalidOptionException("--decoder must be direct or autoregressive, got " + decoder);
        };
        try {
            return new ForecasterConfig(spec, l, h, m, scale, head, levels, dec, cell, hidden, layers, dropout, test, valid, orElse(stride, bundled == null ? 1 : bundled.stride()));
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(e.getMessage());
        }
    }

    private static float[] toArray(List<Float> values) {
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) v[i] = values.get(i);
        Arrays.sort(v);
        return v;
    }

    private static int orElse(Integer value, int fallback) {
        return value != null ? value : fallback;
    }

    private void say(String format, Object... args) {
        if (!common.quiet) System.err.printf(format + "%n", args);
    }
}
