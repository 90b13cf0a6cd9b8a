package dev.recur.cli.anomaly;

import dev.recur.cli.SeriesOptions;
import dev.recur.data.Table;
import dev.recur.task.Models;
import dev.recur.task.anomaly.AnomalyDetector;
import dev.recur.task.anomaly.ThresholdRule;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.SeriesReader;
import dev.recur.tensor.InvalidOptionException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "detect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score every row of a file and flag the anomalies: the input CSV with score and anomaly columns added.",
        footer = {"%nEvery group is read from its start (early rows are context); rows before --from-row (within each group)",
                "are not written. The first rows of a group, which only give context, have an empty score. The threshold",
                "is the one train set, unless --threshold (a rule) or --threshold-value says otherwise.",
                "%nExamples:",
                "  recur anomaly detect --model sensors.safetensors --data sensors --from-row 2000 > flagged.csv",
                "  recur anomaly detect --model sensors.safetensors --data sensors --from-row 2000 --group 1 --plot mote1.png",
                "  recur anomaly detect --model pumps.safetensors --data today.csv --threshold dynamic"})
public final class AnomalyDetectCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "An anomaly detector written by `recur anomaly train`.")
    Path model;

    @Option(names = "--data", paramLabel = "SPEC", required = true, description = "A bundled data set or a CSV file with the model's columns.")
    String data;

    @Option(names = "--from-row", paramLabel = "N", defaultValue = "0", description = "First row of each group to report (default: ${DEFAULT-VALUE}).")
    int fromRow;

    @Option(names = "--threshold", paramLabel = "RULE", description = "Another rule than the model's: max:K, quantile:Q or dynamic.")
    String threshold;

    @Option(names = "--threshold-value", paramLabel = "X", description = "A fixed threshold on the score.")
    Double thresholdValue;

    @Option(names = "--plot", paramLabel = "FILE", description = "Draw one group's values, scores, threshold and flagged rows as a PNG (the first group, or --group's).")
    Path plot;

    @Option(names = "--group", paramLabel = "NAME", description = "The group --plot draws.")
    String group;

    @Override
    public Integer call() throws Exception {
        AnomalyDetector d = Models.open(model, AnomalyDetector.class);
        if (fromRow < 0) throw new InvalidOptionException("--from-row must be 0 or more, got " + fromRow);
        Table table = SeriesOptions.read(data, AnomalyCommand.bundled());
        List<Series> series = SeriesReader.read(table, d.config().spec(), false);
        int s = 0;
        while (group != null && s < series.size() && !series.get(s).group().equals(group)) s++;
        if (s == series.size()) throw new InvalidOptionException("--group " + group + " names no group of " + data);
        var judged = AnomalyCommand.judge(d, series, fromRow, rule(d, threshold), thresholdValue);
        write(System.out, table, series, judged);
        if (plot != null) {
            AnomalyPlot.write(plot, data, d, series.get(s), judged.scores().get(s), judged.flags().get(s), judged.thresholds().get(s), fromRow);
            System.err.println("trace drawn in " + plot);
        }
        return 0;
    }

    static ThresholdRule rule(AnomalyDetector d, String threshold) {
        return threshold == null ? d.config().rule() : ThresholdRule.parse(threshold);
    }

    private void write(PrintStream out, Table table, List<Series> series, AnomalyCommand.Judged judged) {
        var header = new ArrayList<>(table.columns());
        header.addAll(List.of("score", "anomaly"));
        out.println(String.join(",", header.stream().map(AnomalyDetectCommand::quote).toList()));
        Map<Long, int[]> at = AnomalyCommand.positions(series);
        for (Table.Row row : table.rows()) {
            int[] p = at.get(row.line());
            if (p == null || p[1] < fromRow) continue;
            var cells = new ArrayList<String>();
            for (String v : row.values()) cells.add(quote(v));
            float score = judged.scores().get(p[0])[p[1]];
            cells.add(Float.isNaN(score) ? "" : String.format(Locale.ROOT, "%.5g", score));
            cells.add(judged.flags().get(p[0])[p[1]] ? "1" : "0");
            out.println(String.join(",", cells));
        }
    }

    private static String quote(String v) {
        return v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
