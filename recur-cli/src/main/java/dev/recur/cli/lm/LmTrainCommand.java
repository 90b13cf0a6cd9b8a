package dev.recur.cli.lm;

import dev.recur.cli.CommonOptions;
import dev.recur.cli.LossPlot;
import dev.recur.cli.TrainingOptions;
import dev.recur.cli.TrainingProgress;
import dev.recur.data.Corpus;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.io.SafeTensors;
import dev.recur.nn.CellType;
import dev.recur.optim.Adam;
import dev.recur.optim.Plateau;
import dev.recur.optim.Schedule;
import dev.recur.task.LanguageModel;
import dev.recur.task.LanguageModelConfig;
import dev.recur.task.LanguageModelTraining;
import dev.recur.task.Sampler;
import dev.recur.tensor.Rng;
import dev.recur.train.MetricsLog;
import dev.recur.train.Trainer;
import dev.recur.train.TrainerConfig;
import dev.recur.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

    @Option(names = "--tokens", defaultValue = "char", description = "char or word (default: ${DEFAULT-VALUE}).")
    String tokens;

    @Option(names = "--vocab-size", paramLabel = "N", defaultValue = "10000",
            description = "Word models: keep the N most frequent words; 0 = all (default: ${DEFAULT-VALUE}).")
    int vocabSize;

    @Option(names = "--cell", defaultValue = "lstm", description = "lstm, gru or rnn (default: ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--embed", paramLabel = "N", defaultValue = "64", description = "Embedding size (default: ${DEFAULT-VALUE}).")
    int embed;

    @Option(names = "--hidden", paramLabel = "N", defaultValue = "512", description = "Hidden units per layer (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "2", description = "Stacked recurrent layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--dropout", paramLabel = "P|auto", defaultValue = "auto",
            description = "Dropout in [0, 1), or auto: 0.2 below 2M training tokens (a text read many times), 0.1 below 8M, "
                    + "else 0 (default: ${DEFAULT-VALUE}).")
    String dropout;

    @Option(names = "--bptt", paramLabel = "K", defaultValue = "64", description = "Steps per truncated-BPTT chunk (default: ${DEFAULT-VALUE}).")
    int bptt;

    @Option(names = "--bptt-stride", paramLabel = "S",
            description = "Start a chunk every S steps, S ≤ --bptt: overlapping chunks let gradients reach --bptt steps back "
                    + "while each token counts once (default: --bptt).")
    Integer bpttStride;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64", description = "Parallel streams per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--schedule", defaultValue = "wsd",
            description = "wsd (warm-up, the full rate, then a linear decay to 5%% of --lr over the last --decay of the budget -- "
                    + "steps, epochs or time), cosine (warm-up, then cosine decay to 5%% over the whole budget), plateau (halve "
                    + "the rate when validation stalls) or constant (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--decay", paramLabel = "F", defaultValue = "0.2",
            description = "With --schedule wsd: the fraction of the budget over which the rate decays, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double decay;

    @Option(names = "--eval-tokens", paramLabel = "N", defaultValue = "100000",
            description = "Validate on the first N tokens of the validation text; 0 = all (default: ${DEFAULT-VALUE}).")
    int evalTokens;

    @Option(names = "--sample-length", paramLabel = "N", defaultValue = "300",
            description = "Characters or words of sample printed after training (default: ${DEFAULT-VALUE}).")
    int sampleLength;

    @Override
    public Integer call() throws Exception {
        training.check();
        LmOptions.atLeast("--embed", embed, 1);
        LmOptions.atLeast("--hidden", hidden, 1);
        LmOptions.atLeast("--layers", layers, 1);
        LmOptions.atLeast("--bptt", bptt, 1);
        if (bpttStride != null) LmOptions.atLeast("--bptt-stride", bpttStride, 1);
        LmOptions.atLeast("--batch", batch, 1);
        if (vocabSize < 0 || vocabSize == 1) throw new IllegalArgumentException("--vocab-size must be 0 (no limit) or at least 2, got " + vocabSize);
        LmOptions.atLeast("--eval-tokens", evalTokens, 0);
        LmOptions.atLeast("--sample-length", sampleLength, 0);
        Tokenizer tokenizer = LmOptions.tokenizer(tokens);
        Corpus corpus = Corpus.resolve(data, LmOptions.encoding(encoding));
        String defaultName = corpus.name().replaceAll("\\.[^.]*$", "") + "-" + cell + ".safetensors";
        Path out = training.out != null ? training.out : Path.of(defaultName);
        Path checkpoint = Path.of(out + ".ckpt");
        // Checked before training, so a run is never lost to a name it cannot be written under.
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a folder; give the model file's name, e.g. --out "
                    + out.resolve(defaultName));
        }
        Path folder = out.toAbsolutePath().getParent();
        if (folder != null) Files.createDirectories(folder);   // as Keras's ModelCheckpoint: --out runs/sotu/lm.safetensors
        if (folder != null && !Files.isWritable(folder)) throw new IllegalArgumentException("--out " + out + ": cannot write in " + folder);
        Duration time = training.noBudget() ? Duration.ofMinutes(5) : training.time;

        LanguageModel model;
        if (training.resume != null) {
            model = LmOptions.modelFromCheckpoint(training.resume);
            say("resuming %s from %s", model, training.resume);
        } else {
            List<String> trainTokens = tokenizer.split(corpus.train());
            var config = new LanguageModelConfig(tokenizer, LmOptions.cell(cell), embed, hidden, layers, dropout(trainTokens.size()));
            var vocabulary = Vocabulary.build(trainTokens, tokenizer == Tokenizer.WORD ? vocabSize : 0);
            model = new LanguageModel(config, vocabulary, new Rng(common.seed));
        }
        tokenizer = model.config().tokens();
        int[] train = tokenizer.encode(corpus.train(), model.vocabulary());
        int[] valid = tokenizer.encode(corpus.valid(), model.vocabulary());
        int[] validSlice = evalTokens > 0 && valid.length > evalTokens ? java.util.Arrays.copyOf(valid, evalTokens) : valid;
        var task = new LanguageModelTraining(model, train, validSlice, batch, bptt, bpttStride == null ? bptt : bpttStride, 32);
        say("%s: %,d training / %,d validation tokens; %s, %,d parameters", corpus.name(), train.length, valid.length, model,
                model.parameterCount());

        var config = new TrainerConfig(training.steps, training.epochs, time, training.lr, training.clip, training.evalEvery,
                training.checkpointEvery, checkpoint, training.patience, common.seed);
        Schedule schedule = schedule();
        var optimizer = new Adam(model.parameters(), training.lr);
        boolean chars = tokenizer == Tokenizer.CHAR;
        var progress = new TrainingProgress("tok", time, chars ? 1 / Math.log(2) : 1);
        var plot = new LossPlot(chars ? "bits per character" : "nats per token");
        var listeners = new ArrayList<TrainingListener>(List.of(plot));
        if (!common.quiet) {
            listeners.add(progress);
            listeners.add(new EvaluationNotes(model, progress, chars, common.seed));
        }
        Trainer.Result result;
        try (var metrics = new MetricsLog(Path.of(out + ".metrics.jsonl"))) {
            listeners.add(metrics);
            var trainer = new Trainer(task, optimizer, schedule, config, listeners);
            if (training.resume != null) trainer.resume(training.resume);
            result = trainer.run();
        } finally {
            progress.close();
        }
        model.save(out);
        plot.write(Path.of(out + ".loss.png"), String.format("%s %d×%d on %s", model.config().cell().name().toLowerCase(),
                model.config().layers(), model.config().hidden(), corpus.name()), chars ? 1 / Math.log(2) : 1);
        var test = LanguageModelTraining.evaluate(model, tokenizer.encode(corpus.test(), model.vocabulary()), 32, bptt);
        say("wrote %s after %,d steps in %.0f s: validation %s, test %s (%,d tokens)", out, result.steps(), result.seconds(),
                LmOptions.describe(result.bestValidation(), chars), LmOptions.describe(test.natsPerToken(), chars), test.tokens());
        say("loss curve %s.loss.png, metrics %s.metrics.jsonl, checkpoint %s", out, out, checkpoint);
        if (sampleLength > 0) {
            System.out.println("--- sample ---");
            var spacer = model.config().tokens().spacer("");
            new Sampler(0.8f, 0, 1f).generate(model, new int[0], sampleLength, new Rng(common.seed),
                    t -> System.out.print(spacer.apply(t)));
            System.out.println();
        }
        return 0;
    }

    /**
     * After each validation, a line with the result and a short sample (drawn with its own generator, so the
     * training run is the same with or without it).
     */
    private record EvaluationNotes(LanguageModel model, TrainingProgress progress, boolean chars, long seed) implements TrainingListener {
        @Override
        public void evaluated(long step, double metric, boolean best) {
            var sample = new StringBuilder();
            var spacer = model.config().tokens().spacer("");
            new Sampler(0.8f, 0, 1f).generate(model, new int[0], chars ? 120 : 25, new Rng(seed + step),
                    t -> sample.append(spacer.apply(t)));
            progress.note(String.format("step %,d: validation %s%s | %s", step, LmOptions.describe(metric, chars), best ? " (best)" : "",
                    sample.toString().replaceAll("\\s+", " ").strip()));
        }
    }

    /** --dropout as a number; auto picks it from the size of the training text. */
    private float dropout(long trainTokens) {
        if (dropout.equalsIgnoreCase("auto")) return trainTokens < 2_000_000 ? 0.2f : trainTokens < 8_000_000 ? 0.1f : 0f;
        try {
            return Float.parseFloat(dropout);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--dropout must be a number in [0, 1) or auto, got \"" + dropout + "\"");
        }
    }

    private Schedule schedule() {
        return switch (schedule.toLowerCase(java.util.Locale.ROOT)) {
            case "plateau" -> new Plateau(0.5, 2, 1e-3, 0, 0.01);
            case "constant" -> Schedule.constant();
            case "cosine" -> Schedule.cosineOverBudget(50, 0.05);
            case "wsd" -> {
                if (!(decay > 0 && decay <= 1)) throw new IllegalArgumentException("--decay must be in (0, 1], got " + decay);
                yield Schedule.stableDecay(50, decay, 0.05);
            }
            default -> throw new IllegalArgumentException("--schedule must be wsd, cosine, plateau or constant, got \"" + schedule + "\"");
        };
    }

    private void say(String format, Object... args) {
        if (!common.quiet) System.err.printf(format + "%n", args);
    }
}
