package dev.recur.cli.forecast;

import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code recur forecast}: time-series forecasting. */
@Command(name = "forecast", mixinStandardHelpOptions = true,
        description = "Train a forecaster on one or many series (CSV), backtest it against naive baselines, forecast past the end of a file.",
        subcommands = {ForecastTrainCommand.class, ForecastEvalCommand.class, ForecastPredictCommand.class},
        footer = {"%nBundled data sets (with their test period): sunspots, electricity, air-passengers, births, macro.",
                "%nExamples:",
                "  recur forecast train --data sunspots --time 5m --out sunspots.safetensors",
                "  recur forecast train --data electricity --likelihood gaussian --calendar --time 20m",
                "  recur forecast train --data sales.csv --target units --time-column date --group-column store --horizon 14 --test-size 28",
                "  recur forecast eval --model sunspots.safetensors --data sunspots --json",
                "  recur forecast predict --model electricity-forecaster.safetensors --data electricity --plot next-day.png"})
public final class ForecastCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** A bundled data set's documented split: forecast horizon, test period, origins' stride, season and validation period. */
    record Bundled(int horizon, int testSize, int stride, int season, int validSize) {}

    static final Map<String, Bundled> BUNDLED = Map.of(
            "sunspots", new Bundled(1, 67, 1, 0, 30),
            "electricity", new Bundled(48, 672, 48, 336, 672),
            "air-passengers", new Bundled(24, 24, 24, 12, 12),
            "births", new Bundled(1, 366, 1, 7, 365),
            "macro", new Bundled(1, 19, 1, 0, 19));

    static List<String> bundled() {
        return List.copyOf(BUNDLED.keySet());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
