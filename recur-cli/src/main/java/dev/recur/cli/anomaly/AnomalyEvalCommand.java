package dev.recur.cli.anomaly;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.SeriesOptions;
import dev.recur.data.Table;
import dev.recur.task.Models;
import dev.recur.task.anomaly.AnomalyDetector;
import dev.recur.task.anomaly.DetectionScores;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.SeriesReader;
import dev.recur.task.forecast.SeriesSpec;
import dev.recur.tensor.InvalidOptionException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Point-wise precision, recall and F1 of the flagged rows against a label column, and the events detected.",
        footer = {"%nRows from --from-row of each group are judged (default: the end of the model's validation rows), pooled over",
                "groups. Labels are 1 (anomaly) or 0. An event is a maximal run of 1s within a group; it is detected when at",
                "least one of its rows is flagged.",
                "%nExamples:",
                "  recur anomaly eval --model sensors.safetensors --data sensors --label-column label",
                "  recur anomaly eval --model sensors.safetensors --data sensors --label-column label --threshold dynamic --json"})
public final class AnomalyEvalCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "An anomaly detector written by `recur anomaly train`.")
    Path model;

    @Option(names = "--data", paramLabel = "SPEC", required = true, description = "A bundled data set or a CSV file with the model's columns and the labels.")
    String data;

    @Option(names = "--label-column", paramLabel = "NAME", required = true, description = "Column of the labels: 1 for an anomaly, 0 for a normal row.")
    String labelColumn;

    @Option(names = "--from-row", paramLabel = "N", description = "First row of each group to judge (default: the end of the model's validation rows).")
    Integer fromRow;

    @Option(names = "--threshold", paramLabel = "RULE", description = "Another rule than the model's: max:K, quantile:Q or dynamic.")
    String threshold;

    @Option(names = "--threshold-value", paramLabel = "X", description = "A fixed threshold on the score.")
    Double thresholdValue;

    @Option(names = "--json", description = "Print one JSON object on stdout, and nothing else.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        AnomalyDetector d = Models.open(model, AnomalyDetector.class);
        int from = fromRow != null ? fromRow : d.config().validRows()[1];
        if (from < 0) throw new InvalidOptionException("--from-row must be 0 or more, got " + from);
        Table table = SeriesOptions.read(data, AnomalyCommand.bundled());
        List<Series> series = SeriesReader.read(table, d.config().spec(), false);
        SeriesSpec s = d.config().spec();
        List<Series> labels = SeriesReader.read(table, new SeriesSpec(List.of(labelColumn), null, List.of(), false, s.groupColumn(), SeriesSpec.Fill.NONE), false);
        for (Series l : labels) {
            for (int t = 0; t < l.length(); t++) {
                float v = l.value(0, t);
                if (v != 0 && v != 1) throw dev.recur.data.InvalidDataException.at(table.source(), l.lines()[t], "column \"" + labelColumn + "\": labels are 0 or 1, got " + v);
            }
        }
        var judged = AnomalyCommand.judge(d, series, from, AnomalyDetectCommand.rule(d, threshold), thresholdValue);
        DetectionScores scores = DetectionScores.none();
        for (int i = 0; i < series.size(); i++) {
            int length = series.get(i).length();
            if (from >= length) continue;
            boolean[] truth = new boolean[length - from], flags = new boolean[length - from];
            for (int t = from; t < length; t++) {
                truth[t - from] = labels.get(i).value(0, t) == 1;
                flags[t - from] = judged.flags().get(i)[t];
            }
            scores = scores.plus(truth, flags);
        }
        if (scores.rows() == 0) throw new InvalidOptionException("no rows to judge: every group ends before --from-row " + from);
        if (json) {
            var o = new ObjectMapper().createObjectNode().put("rows", scores.rows()).put("precision", scores.precision()).put("recall", scores.recall())
                    .put("f1", scores.f1()).put("events", scores.events()).put("events_detected", scores.eventsDetected());
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(o));
        } else {
            System.out.printf(Locale.ROOT, "%,d rows from row %d of each group: precision %.4f, recall %.4f, F1 %.4f (%,d flagged, %,d of %,d anomalous rows)%n",
                    scores.rows(), from, scores.precision(), scores.recall(), scores.f1(), scores.flagged(), scores.truePositives(), scores.positives());
            System.out.printf("events detected: %d of %d%n", scores.eventsDetected(), scores.events());
        }
        return 0;
    }
}
