package dev.recur.cli.forecast;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.cli.SeriesOptions;
import dev.recur.task.Models;
import dev.recur.task.forecast.Backtest;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.forecast.ForecasterConfig;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.SeriesReader;
import dev.recur.tensor.InvalidOptionException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Backtest a forecaster on the last --test-size points of each series, beside the naive and seasonal-naive forecasts.",
        footer = {"%nFrom every origin in the test period (the point before it, then every --stride points) the model forecasts the",
                "next H points from the data up to the origin; every pair inside the period is scored. MAPE and sMAPE are",
                "in percent; MASE divides by the mean absolute seasonal difference before the test period.",
                "%nExamples:",
                "  recur forecast eval --model sunspots-forecaster.safetensors --data sunspots",
                "  recur forecast eval --model sales.safetensors --data sales-2024.csv --test-size 56 --json"})
public final class ForecastEvalCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "A forecaster written by `recur forecast train`.")
    Path model;

    @Option(names = "--data", paramLabel = "SPEC", required = true, description = "A bundled data set or a CSV file with the model's columns.")
    String data;

    @Option(names = "--test-size", paramLabel = "N", description = "Points at the end of each series to backtest (default: the model's).")
    Integer testSize;

    @Option(names = "--stride", paramLabel = "S", description = "Points between origins (default: the model's).")
    Integer stride;

    @Option(names = "--season", paramLabel = "M", description = "Season of the seasonal-naive baseline; 0 = none (default: the model's).")
    Integer season;

    @Option(names = "--json", description = "Print one JSON object on stdout, and nothing else.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Forecaster forecaster = Models.open(model, Forecaster.class);
        ForecasterConfig c = forecaster.config();
        List<Series> series = SeriesReader.read(SeriesOptions.read(data, ForecastCommand.bundled()), c.spec(), false);
        int n = testSize != null ? testSize : c.testSize(), s = stride != null ? stride : c.stride(), m = season != null ? season : c.season();
        if (n < 1 || s < 1 || m < 0) throw new InvalidOptionException("--test-size and --stride must be at least 1 and --season at least 0");
        Backtest.Result r = Backtest.run(forecaster, series, n, s, m);
        if (json) System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json(r)));
        else System.out.print(report(r));
        return 0;
    }

    /** The JSON of {@code recur forecast eval --json}. */
    static ObjectNode json(Backtest.Result r) {
        ObjectNode o = new ObjectMapper().createObjectNode().put("origins", r.origins()).put("horizon", r.horizon()).put("pairs", r.pairs());
        scores(o, r.model());
        ObjectNode baselines = o.putObject("baselines");
        scores(baselines.putObject("naive"), r.naive());
        if (r.seasonalNaive() != null) scores(baselines.putObject("seasonal_naive"), r.seasonalNaive());
        if (r.targets().size() > 1) {
            ObjectNode targets = o.putObject("targets");
            for (int k = 0; k < r.targets().size(); k++) {
                ObjectNode t = scores(targets.putObject(r.targets().get(k)), r.modelByTarget().get(k));
                ObjectNode b = t.putObject("baselines");
                scores(b.putObject("naive"), r.naiveByTarget().get(k));
                if (r.seasonalNaive() != null) scores(b.putObject("seasonal_naive"), r.seasonalByTarget().get(k));
            }
        }
        return o;
    }

    private static ObjectNode scores(ObjectNode o, Backtest.Scores s) {
        s.values().forEach((name, v) -> {
            if (!name.equals("mse")) o.put(name, v);
        });
        return o;
    }

    /** A table of the model's and the baselines' scores, per target when there are several. */
    static String report(Backtest.Result r) {
        var sb = new StringBuilder(String.format(Locale.ROOT, "backtest: %,d origins, horizon %d, %,d scored points%n", r.origins(), r.horizon(), r.pairs()));
        for (int k = -1; k < r.targets().size(); k++) {
            if (k == -1 && r.targets().size() == 1) continue;
            sb.append(String.format("%n%s%n", k == -1 ? "mean over targets" : r.targets().get(k)));
            sb.append(String.format(Locale.ROOT, "%-16s %12s %12s %12s %9s %9s %8s%s%n", "", "MAE", "RMSE", "MSE", "MAPE %", "sMAPE %", "MASE",
                    Double.isNaN(r.model().coverage80()) ? "" : "  cover80  wQL"));
            row(sb, "model", k == -1 ? r.model() : r.modelByTarget().get(k));
            row(sb, "naive", k == -1 ? r.naive() : r.naiveByTarget().get(k));
            if (r.seasonalNaive() != null) row(sb, "seasonal naive", k == -1 ? r.seasonalNaive() : r.seasonalByTarget().get(k));
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, Backtest.Scores s) {
        sb.append(String.format(Locale.ROOT, "%-16s %12.4g %12.4g %12.4g %9.2f %9.2f %8.4f", name, s.mae(), s.rmse(), s.mse(), s.mape(), s.smape(), s.mase()));
        if (!Double.isNaN(s.coverage80())) sb.append(String.format(Locale.ROOT, "  %7.3f  %.4f", s.coverage80(), s.quantileLoss()));
        sb.append(String.format("%n"));
    }
}
