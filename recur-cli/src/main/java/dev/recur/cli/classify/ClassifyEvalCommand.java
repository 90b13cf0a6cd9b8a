package dev.recur.cli.classify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.ConfusionPlot;
import dev.recur.data.DataFiles;
import dev.recur.task.Models;
import dev.recur.task.classify.Classifier;
import dev.recur.task.classify.ClassifyTraining;
import dev.recur.task.classify.LabelledText;
import dev.recur.task.score.ClassificationScores;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Accuracy, macro F1, per-label precision, recall and F1, and the confusion matrix of a classifier.",
        footer = {"%nA bundled data set name evaluates its test split; a file (.csv, .tsv, .jsonl, or a folder of label",
                "folders) is evaluated whole. Labels never seen in training count as errors.",
                "%nExamples:",
                "  recur classify eval --model spam.safetensors --data spam",
                "  recur classify eval --model spam.safetensors --data mail.csv --json",
                "  recur classify eval --model spam.safetensors --data spam --plot confusion.png"})
public final class ClassifyEvalCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "A classifier written by `recur classify train`.")
    Path model;

    @Option(names = "--data", paramLabel = "SPEC", required = true, description = "A bundled data set (its test split), a file or a folder.")
    String data;

    @Option(names = "--text-column", paramLabel = "NAME", defaultValue = "text", description = "Column or field of the text (default: ${DEFAULT-VALUE}).")
    String textColumn;

    @Option(names = "--label-column", paramLabel = "NAME", defaultValue = "label", description = "Column or field of the label (default: ${DEFAULT-VALUE}).")
    String labelColumn;

    @Option(names = "--json", description = "Print one JSON object on stdout, and nothing else.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE", description = "Draw the confusion matrix as a PNG.")
    Path plot;

    /** Accuracy and macro F1, a table of each label's precision, recall, F1 and support, and the confusion matrix. */
    static String report(ClassificationScores scores) {
        var sb = new StringBuilder(String.format("%,d examples: accuracy %.4f, macro F1 %.4f%n%n", scores.examples(), scores.accuracy(), scores.macroF1()));
        int w = Math.max(9, scores.names().stream().mapToInt(String::length).max().orElse(5) + 2);
        sb.append(String.format("%-" + w + "s %9s %9s %9s %9s%n", "label", "precision", "recall", "f1", "support"));
        for (var c : scores.classes()) sb.append(String.format("%-" + w + "s %9.4f %9.4f %9.4f %,9d%n", c.name(), c.precision(), c.recall(), c.f1(), c.support()));
        sb.append(String.format("%nconfusion (rows gold, columns predicted):%n%-" + w + "s", ""));
        long[][] m = scores.confusion();
        for (String name : scores.names()) sb.append(String.format(" %9s", name.length() > 9 ? name.substring(0, 9) : name));
        sb.append(String.format("%n"));
        for (int g = 0; g < m.length; g++) {
            sb.append(String.format("%-" + w + "s", scores.names().get(g)));
            for (long v : m[g]) sb.append(String.format(" %,9d", v));
            sb.append(String.format("%n"));
        }
        return sb.toString();
    }

    @Override
    public Integer call() throws Exception {
        Classifier classifier = Models.open(model, Classifier.class);
        DataFiles files = DataFiles.resolve(data, null, null, ClassifyTrainCommand.BUNDLED);
        Path source = ClassifyTrainCommand.BUNDLED.contains(data) && files.test() != null ? files.test() : files.train();
        if (ClassifyTrainCommand.BUNDLED.contains(data) && files.test() == null) {
            System.err.printf("recur: %s has no test split (it is scored by cross-validation, train --folds); evaluating all of it%n", data);
        }
        List<LabelledText> examples = LabelledText.read(source, textColumn, labelColumn);
        long unseen = ClassifyTraining.unseenLabels(classifier, examples);
        if (unseen > 0) {
            var names = examples.stream().map(LabelledText::label).filter(l -> !classifier.labels().contains(l)).distinct().sorted().toList();
            System.err.printf("recur: %,d of %,d examples have labels %s never saw in training (%s); they count as errors%n", unseen, examples.size(), model,
                    String.join(", ", names));
        }
        ClassificationScores scores = ClassifyTraining.score(classifier, examples);
        if (plot != null) ConfusionPlot.write(plot, "confusion on " + source.getFileName(), scores.names(), scores.confusion());
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(scores.toJson()));
        } else {
            System.out.print(report(scores));
            if (plot != null) System.out.println("confusion matrix drawn in " + plot);
        }
        return 0;
    }
}
