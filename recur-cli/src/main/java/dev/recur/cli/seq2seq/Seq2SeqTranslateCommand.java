package dev.recur.cli.seq2seq;

import dev.recur.task.Models;
import dev.recur.task.seq2seq.Search;
import dev.recur.task.seq2seq.Seq2Seq;
import dev.recur.task.seq2seq.Seq2SeqTraining;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "translate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Turn each input line into an output line with a sequence-to-sequence model.",
        footer = {"%nWith --n-best N each output line holds the N best outputs and their scores (log-probability over",
                "GNMT's length penalty), tab-separated: output<TAB>score<TAB>output<TAB>score... A blank input line gives a",
                "blank output line. --attention-png draws the attention of the first input's best output as a heat map.",
                "%nExamples:",
                "  echo PYTHON | recur seq2seq translate --model g2p.safetensors --input -",
                "  recur seq2seq translate --model es-en.safetensors --input verses.txt --beam 5 > english.txt",
                "  echo \"En el principio creó Dios los cielos y la tierra.\" | recur seq2seq translate --model es-en.safetensors --input - --attention-png attention.png"})
public final class Seq2SeqTranslateCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "A model written by `recur seq2seq train`.")
    Path model;

    @Option(names = "--input", paramLabel = "FILE|-", required = true, description = "One source per line; - reads standard input.")
    String input;

    @Mixin
    DecodeOptions decode;

    @Mixin
    PairData pairs;

    @Option(names = "--n-best", paramLabel = "N", defaultValue = "1", description = "Outputs per input, at most the beam (default: ${DEFAULT-VALUE}).")
    int nBest;

    @Option(names = "--attention-png", paramLabel = "FILE", description = "Draw the first input's attention weights (source along x, output along y).")
    Path attentionPng;

    @Override
    public Integer call() throws Exception {
        Seq2Seq s2s = Models.open(model, Seq2Seq.class);
        var options = decode.options(nBest);
        String text = dev.recur.cli.Inputs.text(input);
        List<String> lines = text.lines().toList();
        var nonBlank = new ArrayList<String>();
        for (String l : lines) if (!l.isBlank()) nonBlank.add(l.strip());
        List<String> sources = pairs.limitLines(nonBlank, dev.recur.cli.Inputs.name(input), s2s.sourceSide());
        reportUnknown(s2s, sources);
        List<Search.Result> results = Seq2SeqTraining.translate(s2s, sources, options);
        var out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        int next = 0;
        for (String l : lines) {
            if (l.isBlank()) {
                out.println();
                continue;
            }
            Search.Result r = results.get(next++);
            if (nBest == 1) {
                out.println(s2s.targetText(r.best().tokens()));
            } else {
                var cells = new ArrayList<String>();
                for (Search.Hypothesis h : r.hypotheses()) cells.add(s2s.targetText(h.tokens()) + "\t" + String.format(Locale.ROOT, "%.4f", h.score()));
                out.println(String.join("\t", cells));
            }
        }
        out.flush();
        if (attentionPng != null && !sources.isEmpty()) {
            Search.Hypothesis best = results.get(0).best();
            var outputs = new ArrayList<String>();
            for (int id : best.tokens()) outputs.add(s2s.targetSymbol(id));
            if (best.finished()) outputs.add(Seq2Seq.END);
            AttentionPlot.write(attentionPng, s2s.sourceSymbols(sources.get(0)), outputs, best.attention());
            System.err.println("wrote " + attentionPng);
        }
        return 0;
    }

    /** Names, once on standard error, the source symbols the model never saw in training (read as unknown). */
    static void reportUnknown(Seq2Seq model, List<String> sources) {
        var unknown = new TreeSet<String>();
        long count = 0;
        for (String s : sources) {
            for (String symbol : model.sourceSide().split(s)) {
                if (!model.sourceVocabulary().contains(symbol)) {
                    count++;
                    if (unknown.size() < 20) unknown.add(symbol);
                }
            }
        }
        if (count > 0) {
            System.err.printf("warning: %,d source symbols never seen in training are read as %s: %s%s%n", count, dev.recur.data.Vocabulary.UNKNOWN,
                    String.join(" ", unknown), unknown.size() == 20 ? " ..." : "");
        }
    }

    /** True when the model's targets carry CMUdict's stress digits (it was trained with --keep-stress). */
    static boolean hasStress(Seq2Seq model) {
        return model.targetVocabulary().symbols().stream().anyMatch(s -> s.matches("[A-Z]+[0-2]"));
    }
}
