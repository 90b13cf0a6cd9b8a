package dev.recur.cli.seq2seq;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.data.DataFiles;
import dev.recur.task.Models;
import dev.recur.task.seq2seq.References;
import dev.recur.task.seq2seq.Seq2Seq;
import dev.recur.task.seq2seq.Seq2SeqTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "BLEU, chrF, sequence accuracy and token error rate of a sequence-to-sequence model.",
        footer = {"%nA bundled data set name evaluates its test split; a TSV file of source<TAB>target lines is evaluated",
                "whole, lines with the same source being its alternative references. BLEU is sacreBLEU's default (13a",
                "tokens, corpus BLEU-4), chrF its chrF2; an output is right when it equals one of its references; the token",
                "error rate is the edit distance to the closest reference over its length (phoneme error rate for G2P).",
                "Word error rate = 1 - sequence accuracy.",
                "%nExamples:",
                "  recur seq2seq eval --model g2p.safetensors --data cmudict --beam 5",
                "  recur seq2seq eval --model es-en.safetensors --data test.tsv --beam 5 --json"})
public final class Seq2SeqEvalCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "A model written by `recur seq2seq train`.")
    Path model;

    @Option(names = "--data", paramLabel = "SPEC", required = true, description = "A bundled data set (its test split) or a TSV file.")
    String data;

    @Mixin
    DecodeOptions decode;

    @Mixin
    PairData pairs;

    @Option(names = "--json", description = "Print one JSON object on stdout, and nothing else.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Seq2Seq s2s = Models.open(model, Seq2Seq.class);
        var options = decode.options(1);
        DataFiles files = DataFiles.resolve(data, null, null, PairData.BUNDLED);
        Path source = PairData.BUNDLED.contains(data) && files.test() != null ? files.test() : files.train();
        boolean strip = pairs.stripsStress(data) && !Seq2SeqTranslateCommand.hasStress(s2s);
        var refs = References.of(pairs.limit(PairData.read(source, strip), source, s2s.sourceSide()));
        Seq2SeqTranslateCommand.reportUnknown(s2s, refs.sources());
        long start = System.nanoTime();
        var scores = Seq2SeqTraining.score(s2s, refs, options);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(scores.toJson()));
        } else {
            System.out.println(scores);
            System.err.printf("%s, beam %d: %,d sources in %.1f s (%.0f sources/s)%n", source, options.beam(), refs.size(), seconds, refs.size() / seconds);
        }
        return 0;
    }
}
