package dev.recur.cli.lm;

import dev.recur.cli.CommonOptions;
import dev.recur.cli.TrainingOptions;
import dev.recur.data.Corpus;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.nn.CellType;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.LanguageModelConfig;
import dev.recur.task.lm.LanguageModelTraining;
import dev.recur.task.Models;
import dev.recur.task.lm.Sampler;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import dev.recur.train.RunFiles;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a character- or word-level language model on a text corpus.",
        footer = {"%nWith no options it trains a 2-layer char-LSTM on the bundled State of the Union addresses for",
                "5 minutes, then prints samples. --data takes a bundled corpus (sotu, moby-dick, names) or any",
                "text file (UTF-8, or the --encoding named; split 90/5/5 by characters into train, validation, test).",
                "%nExamples:",
                "  recur lm train",
                "  recur lm train --data moby-dick --time 30m --out moby.safetensors",
                "  recur lm train --data my.txt --tokens word --vocab-size 20000 --epochs 10 --out my.safetensors",
                "  recur lm train --data old-novel.txt --encoding windows-1252 --time 30m --decay 0.4",
                "  recur lm train --resume moby.safetensors.ckpt --steps 20000 --out moby.safetensors"})
public final class LmTrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    TrainingOptions training;

    @Option(names = "--data", paramLabel = "CORPUS|FILE", defaultValue = "sotu",
            description = "A bundled corpus or a text file (UTF-8 unless --encoding says otherwise; default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--encoding", paramLabel = "NAME", defaultValue = "UTF-8",
            description = "The encoding of a --data file, e.g. windows-1252 or ISO-8859-1 (default: ${DEFAULT-VALUE}).")
    String encoding;

    @Option(names = "--tokens", paramLabel = "char|word", defaultValue = "char", description = "char or word (default: ${DEFAULT-VALUE}).")
    Tokenizer tokens;

    @Option(names = "--vocab-size", paramLabel = "N", defaultValue = "10000",
            description = "Word models: keep the N most frequent words; 0 = all (default: ${DEFAULT-VALUE}).")
    int vocabSize;

    @Option(names = "--cell", paramLabel = "lstm|gru|rnn", defaultValue = "lstm", description = "lstm, gru or rnn (default: ${DEFAULT-VALUE}).")
    CellType cell;

    @Option(names = "--embed", paramLabel = "N", defaultValue = "64", description = "Embedding size (default: ${DEFAULT-VALUE}).")
    int embed;

    @Option(names = "--hidden", paramLabel = "N", defaultValue = "512", description = "Hidden units per layer (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "2", description = "Stacked recurrent layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--dropout", paramLabel = "P|auto", defaultValue = "auto", converter = DropoutOption.class,
            description = "Dropout in [0, 1), or auto: 0.2 below 2M training tokens (a text read many times), 0.1 below 8M, "
                    + "else 0 (default: ${DEFAULT-VALUE}).")
    Float dropout;

    @Option(names = "--bptt", paramLabel = "K", defaultValue = "64", description = "Steps per truncated-BPTT chunk (default: ${DEFAULT-VALUE}).")
    int bptt;

    @Option(names = "--bptt-stride", paramLabel = "S",
            description = "Start a chunk every S steps, S ≤ --bptt: overlapping chunks let gradients reach --bptt steps back "
                    + "while each token counts once (default: --bptt).")
    Integer bpttStride;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64", description = "Parallel streams per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--eval-tokens", paramLabel = "N", defaultValue = "100000",
            description = "Validate on the first N tokens of the validation text; 0 = all (default: ${DEFAULT-VALUE}).")
    int evalTokens;

    @Option(names = "--sample-length", paramLabel = "N", defaultValue = "300",
            description = "Characters or words of sample printed after training (default: ${DEFAULT-VALUE}).")
    int sampleLength;

    @Override
    public Integer call() throws Exception {
        training.plan();
        checkOptions();
        Corpus corpus = Corpus.resolve(data, LmOptions.encoding(encoding));
        RunFiles files = training.files(corpus.name().replaceAll("\\.[^.]*$", "") + "-" + cell.name().toLowerCase() + ".safetensors");
        LanguageModel model = training.resume != null ? Models.open(training.resume, LanguageModel.class) : newModel(corpus);
        Tokenizer tokenizer = model.config().tokens();
        int[] train = tokenizer.encode(corpus.train(), model.vocabulary()), valid = tokenizer.encode(corpus.valid(), model.vocabulary());
        var task = new LanguageModelTraining(model, train, evalTokens > 0 && valid.length > evalTokens ? Arrays.copyOf(valid, evalTokens) : valid,
                batch, bptt, bpttStride == null ? bptt : bpttStride, LanguageModelTraining.EVAL_BATCH)
                .withTest(tokenizer.encode(corpus.test(), model.vocabulary()));
        say("%s%s: %,d training / %,d validation tokens; %s, %,d parameters", training.resume != null ? "resuming from " + training.resume + ", " : "",
                corpus.name(), train.length, valid.length, model, model.parameterCount());
        boolean chars = tokenizer == Tokenizer.CHAR;
        var title = String.format("%s %d×%d on %s", model.config().cell().name().toLowerCase(), model.config().layers(), model.config().hidden(), corpus.name());
        var display = new TrainingOptions.Display("tok", chars ? 1 / Math.log(2) : 1, chars ? "bits per character" : "nats per token", title,
                m -> LmOptions.describe(m.value(), chars), step -> sample(model, chars ? 120 : 25, common.seed + step));
        training.train(task, files, display, common.quiet);
        if (sampleLength > 0) System.out.println("--- sample ---\n" + sample(model, sampleLength, common.seed));
        return 0;
    }

    private LanguageModel newModel(Corpus corpus) {
        List<String> trainTokens = tokens.split(corpus.train());
        float p = dropout != null ? dropout : LanguageModelConfig.autoDropout(trainTokens.size());
        var config = new LanguageModelConfig(tokens, cell, embed, hidden, layers, p);
        return new LanguageModel(config, Vocabulary.build(trainTokens, tokens == Tokenizer.WORD ? vocabSize : 0), new Rng(common.seed));
    }

    /** Text drawn at temperature 0.8 with its own generator, so the training run is the same with or without it. */
    private static String sample(LanguageModel model, int length, long seed) {
        var text = new StringBuilder();
        var spacer = model.config().tokens().spacer("");
        new Sampler(0.8f, 0, 1f).generate(model, new int[0], length, new Rng(seed), t -> text.append(spacer.apply(t)));
        return text.toString();
    }

    private void checkOptions() {
        LmOptions.atLeast("--embed", embed, 1);
        LmOptions.atLeast("--hidden", hidden, 1);
        LmOptions.atLeast("--layers", layers, 1);
        LmOptions.atLeast("--bptt", bptt, 1);
        if (bpttStride != null) LmOptions.atLeast("--bptt-stride", bpttStride, 1);
        LmOptions.atLeast("--batch", batch, 1);
        if (vocabSize < 0 || vocabSize == 1) throw new InvalidOptionException("--vocab-size must be 0 (no limit) or at least 2, got " + vocabSize);
        LmOptions.atLeast("--eval-tokens", evalTokens, 0);
        LmOptions.atLeast("--sample-length", sampleLength, 0);
    }

    private void say(String format, Object... args) {
        if (!common.quiet) System.err.printf(format + "%n", args);
    }

    /** --dropout: a number in [0, 1), or auto (null: chosen from the size of the training text). */
    static final class DropoutOption implements ITypeConverter<Float> {
        @Override
        public Float convert(String value) {
            if (value.equalsIgnoreCase("auto")) return null;
            try {
                float p = Float.parseFloat(value);
                if (p >= 0 && p < 1) return p;
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new TypeConversionException("--dropout must be a number in [0, 1) or auto, got \"" + value + "\"");
        }
    }
}
