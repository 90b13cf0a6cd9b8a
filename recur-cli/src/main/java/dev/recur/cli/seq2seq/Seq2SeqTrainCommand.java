package dev.recur.cli.seq2seq;

import dev.recur.cli.CommonOptions;
import dev.recur.cli.DataOptions;
import dev.recur.cli.TrainingOptions;
import dev.recur.data.DataFiles;
import dev.recur.data.Pairs;
import dev.recur.data.Vocabulary;
import dev.recur.nn.Attention;
import dev.recur.nn.CellType;
import dev.recur.task.Models;
import dev.recur.task.seq2seq.Bpe;
import dev.recur.task.seq2seq.References;
import dev.recur.task.seq2seq.Search;
import dev.recur.task.seq2seq.Seq2Seq;
import dev.recur.task.seq2seq.Seq2SeqConfig;
import dev.recur.task.seq2seq.Seq2SeqTraining;
import dev.recur.task.seq2seq.Unit;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import dev.recur.train.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train an encoder-decoder: a bidirectional LSTM over the source, an LSTM decoder attending to it.",
        footer = {"%n--data is a bundled data set (cmudict: spelling to phonemes; bible-es-en: Spanish to English verses) or",
                "a TSV file of source<TAB>target lines (UTF-8, optionally .gz); lines with the same source are alternative",
                "references. Without --valid and --test a file is split 90/5/5 by a hash of the source.",
                "%nUnits: auto reads a side as characters when most of its lines are one word, as BPE subwords (learned on",
                "the training side, --bpe-merges) when it has more than 2,000 distinct words, else as words.",
                "Validation decodes greedily and keeps the weights with the best token error rate (one-word sources) or",
                "BLEU (others); score with beam search by `recur seq2seq eval`.",
                "%nExamples:",
                "  recur seq2seq train --data cmudict --time 30m --out g2p.safetensors",
                "  recur seq2seq train --data bible-es-en --time 45m --out es-en.safetensors",
                "  recur seq2seq train --data pairs.tsv --valid dev.tsv --test test.tsv --attention dot --time 15m"})
public final class Seq2SeqTrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    TrainingOptions training;

    @Mixin
    DataOptions input;

    @Mixin
    PairData pairs;

    @Option(names = "--source-unit", paramLabel = "U", defaultValue = "auto", description = "char, word, bpe or auto (default: ${DEFAULT-VALUE}).")
    String sourceUnit;

    @Option(names = "--target-unit", paramLabel = "U", defaultValue = "auto", description = "char, word, bpe or auto (default: ${DEFAULT-VALUE}).")
    String targetUnit;

    @Option(names = "--bpe-merges", paramLabel = "N", defaultValue = "4000", description = "BPE merges learned per side (default: ${DEFAULT-VALUE}).")
    int bpeMerges;

    @Option(names = "--attention", paramLabel = "A", defaultValue = "general",
            description = "additive (Bahdanau), dot or general (Luong) (default: ${DEFAULT-VALUE}).")
    String attention;

    @Option(names = "--cell", paramLabel = "lstm|gru", defaultValue = "lstm", description = "The recurrent cell (default: ${DEFAULT-VALUE}).")
    CellType cell;

    @Option(names = "--embed", paramLabel = "N", defaultValue = "128", description = "Embedding size of both sides (default: ${DEFAULT-VALUE}).")
    int embed;

    @Option(names = "--hidden", paramLabel = "N", defaultValue = "256",
            description = "The decoder's hidden units; the encoder has half per direction (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "2", description = "Encoder layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--decoder-layers", paramLabel = "N", defaultValue = "1", description = "Decoder layers (default: ${DEFAULT-VALUE}).")
    int decoderLayers;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.3", description = "Dropout (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--label-smoothing", paramLabel = "E", defaultValue = "0.1", description = "Label smoothing of the loss (default: ${DEFAULT-VALUE}).")
    float labelSmoothing;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64", description = "Pairs per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--min-count", paramLabel = "N", defaultValue = "1",
            description = "Symbols seen fewer than N times in training read as unknown (default: ${DEFAULT-VALUE}).")
    int minCount;

    @Override
    public Integer call() throws Exception {
        training.decayByDefault(0.5);   // an attention model gains most of its accuracy while the rate decays
        training.plan();
        if (hidden % 2 != 0) throw new InvalidOptionException("--hidden must be even (the encoder has half per direction), got " + hidden);
        if (batch < 1) throw new InvalidOptionException("--batch must be at least 1, got " + batch);
        if (bpeMerges < 0) throw new InvalidOptionException("--bpe-merges must be ≥ 0, got " + bpeMerges);
        var form = Attention.Form.parse(attention);
        DataFiles files = input.files(PairData.BUNDLED);
        boolean strip = pairs.stripsStress(input.data);
        var parts = files.parts(PairData.read(files.train(), strip), Pairs.Pair::source, f -> PairData.read(f, strip));
        Seq2Seq model = training.resume != null ? Models.open(training.resume, Seq2Seq.class) : newModel(parts.train());
        var train = pairs.limit(parts.train(), files.train(), model.sourceSide());
        var valid = References.of(pairs.limit(parts.valid(), files.valid() != null ? files.valid() : files.train(), model.sourceSide()));
        var test = References.of(pairs.limit(parts.test(), files.test() != null ? files.test() : files.train(), model.sourceSide()));
        say("%s: %,d training pairs, %,d validation and %,d test sources", files.name(), train.size(), valid.size(), test.size());
        if (!common.quiet) {
            var held = new ArrayList<>(valid.sources());
            held.addAll(test.sources());
            Seq2SeqTranslateCommand.reportUnknown(model, held);
        }
        String primary = Unit.mostlyOneWord(train.stream().map(Pairs.Pair::source).toList()) ? "token_error_rate" : "bleu";
        var task = new Seq2SeqTraining(model, train, valid, test, primary, batch, common.seed);
        say("%s, %,d parameters", model, model.parameterCount());
        String first = valid.sources().get(0);
        var display = new TrainingOptions.Display("tok", 1, "cross-entropy (nats per target token, label-smoothed)", "seq2seq on " + files.name(),
                Seq2SeqTrainCommand::describe, step -> first + " → " + model.targetText(Search.greedy(model, List.of(model.sourceIds(first)), Search.Options.greedy()).get(0).best().tokens()));
        training.train(task, training.files(files.name() + "-seq2seq.safetensors"), display, common.quiet);
        var scores = task.testScores();
        if (scores != null) System.out.println("test (greedy): " + scores);
        return 0;
    }

    private Seq2Seq newModel(List<Pairs.Pair> train) {
        var sources = train.stream().map(Pairs.Pair::source).toList();
        var targets = train.stream().map(Pairs.Pair::target).toList();
        Unit.Side sourceSide = side(sourceUnit, "--source-unit", sources), targetSide = side(targetUnit, "--target-unit", targets);
        var srcSymbols = new ArrayList<String>();
        for (String s : sources) srcSymbols.addAll(sourceSide.split(s));
        var tgtSymbols = new ArrayList<String>();
        for (String t : targets) tgtSymbols.addAll(targetSide.split(t));
        Vocabulary src = Vocabulary.build(srcSymbols, 0, minCount);
        var tgtList = new ArrayList<String>(List.of(Vocabulary.UNKNOWN, Seq2Seq.START, Seq2Seq.END));
        Vocabulary.build(tgtSymbols, 0, minCount).symbols().stream().skip(1).filter(s -> !s.equals(Seq2Seq.START) && !s.equals(Seq2Seq.END)).forEach(tgtList::add);
        var config = new Seq2SeqConfig(embed, cell, hidden / 2, layers, hidden, decoderLayers, Attention.Form.parse(attention), hidden, dropout, labelSmoothing);
        return new Seq2Seq(config, sourceSide, targetSide, src, Vocabulary.of(tgtList), new Rng(common.seed));
    }

    private Unit.Side side(String option, String name, List<String> lines) {
        Unit unit = option.equalsIgnoreCase("auto") ? Unit.choose(lines, 2000) : Unit.parse(option, name);
        if (unit == Unit.BPE) {
            long start = System.nanoTime();
            Bpe bpe = Bpe.learn(lines, bpeMerges);
            say("%s: learned %,d BPE merges in %.1f s", name.substring(2), bpe.size(), (System.nanoTime() - start) / 1e9);
            return new Unit.Side(unit, bpe);
        }
        return new Unit.Side(unit, null);
    }

    static String describe(Metrics m) {
        return String.format("BLEU %.2f, accuracy %.2f%%, token error rate %.2f%%", m.get("bleu"), 100 * m.get("sequence_accuracy"), 100 * m.get("token_error_rate"));
    }

    private void say(String format, Object... args) {
        if (!common.quiet) System.err.printf(format + "%n", args);
    }
}
