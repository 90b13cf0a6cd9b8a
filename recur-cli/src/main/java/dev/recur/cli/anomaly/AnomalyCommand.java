package dev.recur.cli.anomaly;

import dev.recur.task.anomaly.AnomalyDetector;
import dev.recur.task.forecast.Series;
import dev.recur.tensor.InvalidOptionException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code recur anomaly}: anomaly detection in series. */
@Command(name = "anomaly", mixinStandardHelpOptions = true,
        description = "Learn what normal rows look like, then flag the rows of a series that do not fit.",
        subcommands = {AnomalyTrainCommand.class, AnomalyDetectCommand.class, AnomalyEvalCommand.class},
        footer = {"%nBundled data set: sensors (humidity and temperature of 4 motes, 2 labelled events).",
                "%nExamples:",
                "  recur anomaly train --data sensors --time 5m --out sensors.safetensors",
                "  recur anomaly eval --model sensors.safetensors --data sensors --label-column label",
                "  recur anomaly detect --model sensors.safetensors --data sensors --from-row 2000 --plot mote1.png > flagged.csv",
                "  recur anomaly train --data pumps.csv --columns pressure,flow --group-column pump --train-rows 0:5000 --valid-rows 5000:6000"})
public final class AnomalyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** A bundled data set's columns and rows. */
    record Bundled(List<String> columns, String groupColumn, int[] trainRows, int[] validRows) {}

    static final Map<String, Bundled> BUNDLED = Map.of("sensors", new Bundled(List.of("humidity", "temperature"), "mote_id", new int[] {0, 1500}, new int[] {1500, 2000}));

    static List<String> bundled() {
        return List.copyOf(BUNDLED.keySet());
    }

    /** "A:B" as {A, B}. */
    static int[] rows(String option, String text) {
        String[] p = text.split(":", -1);
        try {
            if (p.length == 2) return new int[] {Integer.parseInt(p[0].strip()), Integer.parseInt(p[1].strip())};
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new InvalidOptionException(option + " takes a row range A:B (rows A to B − 1 of each group, from 0), got \"" + text + "\"");
    }

    /** Each row of the table as (series index, point index), by file line. */
    static Map<Long, int[]> positions(List<Series> series) {
        var at = new HashMap<Long, int[]>();
        for (int s = 0; s < series.size(); s++) {
            long[] lines = series.get(s).lines();
            for (int t = 0; t < lines.length; t++) at.put(lines[t], new int[] {s, t});
        }
        return at;
    }

    /** The scores of every series and whether each row is flagged, by the model's rule or {@code threshold} when given. */
    public record Judged(List<float[]> scores, List<boolean[]> flags, List<Double> thresholds) {}

    public static Judged judge(AnomalyDetector d, List<Series> series, int fromRow, dev.recur.task.anomaly.ThresholdRule rule, Double threshold) {
        var scores = new java.util.ArrayList<float[]>();
        var flags = new java.util.ArrayList<boolean[]>();
        var thresholds = new java.util.ArrayList<Double>();
        for (Series s : series) {
            float[] score = d.scores(s);
            float[] judged = java.util.Arrays.copyOfRange(score, Math.min(fromRow, score.length), score.length);
            double th = threshold != null ? threshold : d.threshold(rule, judged);
            boolean[] f = new boolean[score.length];
            for (int t = fromRow; t < score.length; t++) f[t] = !Float.isNaN(score[t]) && score[t] > th;
            scores.add(score);
            flags.add(f);
            thresholds.add(th);
        }
        return new Judged(scores, flags, thresholds);
    }


    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
