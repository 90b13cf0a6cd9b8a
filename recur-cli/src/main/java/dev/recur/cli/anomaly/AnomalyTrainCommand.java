package dev.recur.cli.anomaly;

import dev.recur.cli.CommonOptions;
import dev.recur.cli.SeriesOptions;
import dev.recur.cli.TrainingOptions;
import dev.recur.data.Table;
import dev.recur.io.ModelFile;
import dev.recur.nn.CellType;
import dev.recur.task.Models;
import dev.recur.task.anomaly.AnomalyConfig;
import dev.recur.task.anomaly.AnomalyDetector;
import dev.recur.task.anomaly.AnomalyTraining;
import dev.recur.task.anomaly.ThresholdRule;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.SeriesReader;
import dev.recur.task.forecast.SeriesSpec;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train an anomaly detector on rows assumed normal and set its threshold on other normal rows.",
        footer = {"%nRow ranges A:B count rows within each group (--group-column), in file order, from 0. The model learns from",
                "--train-rows, stops early and sets the threshold on --valid-rows; both must be normal. The threshold rule is",
                "max:K (K times the largest validation score), quantile:Q (that quantile of the validation scores) or dynamic",
                "(Hundman et al. 2018: set on the scores being judged).",
                "%nExamples:",
                "  recur anomaly train --data sensors --time 5m",
                "  recur anomaly train --data sensors --method reconstruction --threshold quantile:0.999 --time 5m",
                "  recur anomaly train --data pumps.csv --columns pressure,flow --group-column pump --train-rows 0:5000 --valid-rows 5000:6000"})
public final class AnomalyTrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    TrainingOptions training;

    @Mixin
    SeriesOptions series;

    @Option(names = "--columns", paramLabel = "COL", split = ",", description = "Columns to watch (default: the bundled set's; required for a file).")
    List<String> columns;

    @Option(names = "--train-rows", paramLabel = "A:B", description = "Normal rows of each group to learn from (default: the bundled set's).")
    String trainRows;

    @Option(names = "--valid-rows", paramLabel = "B:C", description = "Normal rows of each group for early stopping and the threshold (default: the bundled set's).")
    String validRows;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "forecast",
            description = "forecast (the error of a one-step forecast) or reconstruction (an LSTM autoencoder's error on the window ending at the row) (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--context", paramLabel = "L", defaultValue = "24", description = "Rows read before each scored row (the window) (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--smoothing", paramLabel = "S", defaultValue = "6", description = "Span of the exponentially weighted mean of the scores; 1 = none (default: ${DEFAULT-VALUE}).")
    int smoothing;

    @Option(names = "--threshold", paramLabel = "RULE", defaultValue = "max:1.1", description = "max:K, quantile:Q or dynamic (default: ${DEFAULT-VALUE}).")
    String threshold;

    @Option(names = "--cell", paramLabel = "TYPE", defaultValue = "lstm", description = "lstm or gru (default: ${DEFAULT-VALUE}).")
    CellType cell;

    @Option(names = "--hidden", paramLabel = "H", defaultValue = "32", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "1", description = "Stacked layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.1", description = "With --method forecast: dropout on the encoder's output (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", description = "Rows per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        training.plan();
        if (batch < 1) throw new InvalidOptionException("--batch must be at least 1, got " + batch);
        if (!series.covariates.isEmpty() || series.calendar) throw new InvalidOptionException("--covariates and --calendar are for recur forecast; the detector watches --columns");
        var bundled = AnomalyCommand.BUNDLED.get(series.data);
        if (bundled != null && series.groupColumn == null) series.groupColumn = bundled.groupColumn();
        List<String> watched = columns != null ? columns : bundled != null ? bundled.columns() : null;
        if (watched == null) throw new InvalidOptionException("name the columns to watch with --columns");
        int[] trainRange = trainRows != null ? AnomalyCommand.rows("--train-rows", trainRows) : bundled != null ? bundled.trainRows() : null;
        int[] validRange = validRows != null ? AnomalyCommand.rows("--valid-rows", validRows) : bundled != null ? bundled.validRows() : null;
        if (trainRange == null || validRange == null) throw new InvalidOptionException("give the normal rows: --train-rows A:B and --valid-rows B:C");
        AnomalyConfig.Method m = switch (method.toLowerCase(Locale.ROOT)) {
            case "forecast" -> AnomalyConfig.Method.FORECAST;
            case "reconstruction" -> AnomalyConfig.Method.RECONSTRUCTION;
            default -> throw new InvalidOptionException("--method must be forecast or reconstruction, got " + method);
        };
        Table table = SeriesOptions.read(series.data, AnomalyCommand.bundled());
        SeriesSpec spec = series.spec(table, watched, "--columns");
        List<Series> all = SeriesReader.read(table, spec, false);
        AnomalyConfig config;
        try {
            config = new AnomalyConfig(spec, m, context, cell, hidden, layers, dropout, trainRange, validRange, smoothing, ThresholdRule.parse(threshold));
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(e.getMessage());
        }
        AnomalyDetector model = training.resume != null ? Models.open(training.resume, AnomalyDetector.class) : AnomalyDetector.create(config, all, new Rng(common.seed));
        var task = new AnomalyTraining(model, all, batch, common.seed, table.source());
        String name = series.name(AnomalyCommand.bundled());
        say("%s: %d series, %,d training rows; %s, %,d parameters", name, all.size(), task.rows(), model, model.parameterCount());
        var files = training.files(name + "-anomaly.safetensors");
        training.train(task, files, TrainingOptions.Display.of("rows", "loss (standardised)", "anomaly detector on " + name), common.quiet);
        AnomalyDetector best = Models.open(files.model(), AnomalyDetector.class);
        best.calibrate(all);
        ModelFile.write(files.model(), best.configJson(), best.stateDict());
        String set = Double.isNaN(best.threshold()) ? "set on the scores of each series judged" : String.format(Locale.ROOT, "%.4g", best.threshold());
        System.out.printf(Locale.ROOT, "threshold %s: %s (scores are errors in units of each column's 99th percentile on the training rows)%n",
                best.config().rule(), set);
        return 0;
    }

    private void say(String format, Object... args) {
        if (!common.quiet) System.err.printf(format + "%n", args);
    }
}
