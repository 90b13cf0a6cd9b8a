package dev.recur.cli.classify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.task.Models;
import dev.recur.task.classify.Classifier;
import dev.recur.task.classify.LabelledText;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Label texts: one JSON line per text with the label and every label's probability.",
        footer = {"%n--input reads a .csv, .tsv or .jsonl file's text column (as train does); any other file, or - for",
                "standard input, holds one text per line.",
                "%nExamples:",
                "  recur classify predict --model spam.safetensors --input mails.jsonl",
                "  echo \"I love this phone\" | recur classify predict --model sentiment.safetensors --input - --attention"})
public final class ClassifyPredictCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "A classifier written by `recur classify train`.")
    Path model;

    @Option(names = "--input", paramLabel = "FILE|-", required = true, description = "The texts; - reads standard input, one text per line.")
    String input;

    @Option(names = "--text-column", paramLabel = "NAME", defaultValue = "text", description = "Column or field of the text (default: ${DEFAULT-VALUE}).")
    String textColumn;

    @Option(names = "--attention", description = "Add each token's attention weight (models trained with --pooling attention).")
    boolean attention;

    @Override
    public Integer call() throws Exception {
        Classifier classifier = Models.open(model, Classifier.class);
        List<String> texts = new ArrayList<>();
        if (input.equals("-")) {
            var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) if (!line.isBlank()) texts.add(line);
        } else {
            LabelledText.readTexts(Path.of(input), textColumn).forEach(t -> texts.add(t.text()));
        }
        if (attention && classifier.config().pooling() != dev.recur.nn.Pooling.ATTENTION) {
            System.err.println("recur: " + model + " pools by " + classifier.config().pooling().name().toLowerCase(java.util.Locale.ROOT) + ", not attention; no weights to show");
        }
        var tokens = texts.stream().map(classifier::tokens).toList();
        for (int from = 0; from < tokens.size(); from += 1024) {   // in slices, so results stream out as they come
            var slice = tokens.subList(from, Math.min(tokens.size(), from + 1024));
            for (Classifier.Prediction p : dev.recur.task.text.TextEncoder.byLength(slice, 64, classifier::predictTokens)) {
                ObjectNode line = JSON.createObjectNode().put("label", p.label());
                ObjectNode probabilities = line.putObject("probabilities");
                for (int k = 0; k < p.probabilities().length; k++) probabilities.put(classifier.labels().get(k), Math.round(p.probabilities()[k] * 1e4) / 1e4);
                if (attention && p.attention() != null) {
                    var weights = line.putArray("attention");
                    for (int t = 0; t < p.tokens().size(); t++) {
                        weights.addObject().put("token", p.tokens().get(t)).put("weight", Math.round(p.attention()[t] * 1e4) / 1e4);
                    }
                }
                System.out.println(JSON.writeValueAsString(line));
            }
        }
        return 0;
    }
}
