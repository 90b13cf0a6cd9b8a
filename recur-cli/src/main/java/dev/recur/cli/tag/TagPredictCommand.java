package dev.recur.cli.tag;

import dev.recur.data.Conll;
import dev.recur.task.Models;
import dev.recur.task.tag.TagTraining;
import dev.recur.task.tag.Tagger;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Tag sentences; writes CoNLL: token<TAB>tag, a blank line after each sentence.",
        footer = {"%n--input holds one sentence per line, tokens separated by spaces (--format lines), or CoNLL, its first",
                "column the tokens (--format conll); auto (the default) reads a .conll file, or one whose first line has",
                "tab-separated columns, as CoNLL. - reads standard input.",
                "%nExamples:",
                "  echo \"The jury praised the city of Atlanta .\" | recur tag predict --model pos.safetensors --input -",
                "  recur tag predict --model names.safetensors --input news.conll > tagged.conll"})
public final class TagPredictCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "A tagger written by `recur tag train`.")
    Path model;

    @Option(names = "--input", paramLabel = "FILE|-", required = true, description = "The sentences; - reads standard input.")
    String input;

    @Option(names = "--format", paramLabel = "auto|lines|conll", defaultValue = "auto", description = "How --input holds sentences (default: ${DEFAULT-VALUE}).")
    Format format;

    enum Format { AUTO, LINES, CONLL }

    @Override
    public Integer call() throws Exception {
        Tagger tagger = Models.open(model, Tagger.class);
        String text = dev.recur.cli.Inputs.text(input);
        List<List<String>> sentences = new ArrayList<>();
        String first = text.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        boolean conll = format == Format.CONLL || format == Format.AUTO && (input.matches(".*\\.conll(\\.gz)?$") || first.contains("\t"));
        if (conll) {
            Conll.read(new java.io.StringReader(text), Path.of(dev.recur.cli.Inputs.name(input)), 0, 0).forEach(s -> sentences.add(s.tokens()));
        } else {
            for (String line : text.split("\n")) if (!line.isBlank()) sentences.add(Arrays.asList(line.trim().split("\\s+")));
        }
        var out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        var tags = TagTraining.predict(tagger, sentences);
        for (int s = 0; s < sentences.size(); s++) {
            for (int t = 0; t < sentences.get(s).size(); t++) out.println(sentences.get(s).get(t) + "\t" + tags.get(s).get(t));
            out.println();
        }
        out.flush();
        return 0;
    }
}
