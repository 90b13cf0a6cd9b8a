package dev.recur.cli.lm;

import dev.recur.data.InvalidDataException;
import dev.recur.tensor.InvalidOptionException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.CommonOptions;
import dev.recur.data.Corpus;
import dev.recur.data.TextCorpus;
import dev.recur.data.Tokenizer;
import dev.recur.task.lm.DynamicEvaluation;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.LanguageModelTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Bits per character (char models) or perplexity (word models) of a model on a text.",
        footer = {"%nThe whole text is read, cut into --batch columns, each with its state carried",
                "from its start. A bundled corpus name (sotu, moby-dick, names) evaluates its",
                "test split.",
                "%nWith --dynamic the model goes on learning from the text as it reads it",
                "(dynamic evaluation, Krause et al. 2018): each chunk of --batch × --bptt",
                "tokens is scored first, then one step on its gradient moves the weights",
                "(--dynamic-lr) and a decay pulls them back toward the trained ones",
                "(--dynamic-decay). Every token is predicted before it is learned from, but",
                "the score is that of a model adapting to the text, not of the trained",
                "weights alone. The model file is not changed.",
                "%nExamples:",
                "  recur lm eval --model moby.safetensors --data moby-dick",
                "  recur lm eval --model sotu-lstm.safetensors --data speech.txt --json",
                "  recur lm eval --model sotu-lstm.safetensors --data sotu --dynamic"})
public final class LmEvalCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "A model written by `recur lm train`.")
    Path model;

    @Option(names = "--data", paramLabel = "CORPUS|FILE", required = true, description = "A text file, or a bundled corpus (its test split).")
    String data;

    @Option(names = "--encoding", paramLabel = "NAME", defaultValue = "UTF-8",
            description = "The encoding of a --data file, e.g. windows-1252 or ISO-8859-1 (default: ${DEFAULT-VALUE}).")
    String encoding;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", description = "Columns evaluated in parallel (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--bptt", paramLabel = "K", description = "Steps per chunk (default: 128; with --dynamic 32).")
    Integer bptt;

    @Option(names = "--dynamic", description = "Dynamic evaluation: adapt the weights to the text while scoring it.")
    boolean dynamic;

    @Option(names = "--dynamic-lr", paramLabel = "R", defaultValue = "0.001",
            description = "Step size of --dynamic, the gradient divided by its running root mean square (default: ${DEFAULT-VALUE}).")
    float dynamicLr;

    @Option(names = "--dynamic-decay", paramLabel = "D", defaultValue = "0.001",
            description = "Pull of --dynamic back toward the trained weights at each step, in [0, 1] (default: ${DEFAULT-VALUE}).")
    float dynamicDecay;

    @Override
    public Integer call() throws Exception {
        LmOptions.atLeast("--batch", batch, 1);
        if (bptt != null) LmOptions.atLeast("--bptt", bptt, 1);
        if (!(dynamicLr >= 0) || Float.isInfinite(dynamicLr)) {
            throw new InvalidOptionException("--dynamic-lr must be a number ≥ 0, got " + dynamicLr);
        }
        if (!(dynamicDecay >= 0 && dynamicDecay <= 1)) throw new InvalidOptionException("--dynamic-decay must be in [0, 1], got " + dynamicDecay);
        LanguageModel lm = LanguageModel.load(model);
        String text = Corpus.BUNDLED.contains(data) ? Corpus.resolve(data).test()
                : TextCorpus.read(Path.of(data), LmOptions.encoding(encoding));
        Tokenizer tokenizer = lm.config().tokens();
        int[] ids = tokenizer.encode(text, lm.vocabulary());
        if (ids.length < 2) throw new InvalidDataException(data + ": too short to evaluate; it needs at least 2 tokens");
        LanguageModelTraining.Evaluation e;
        ProgressBar bar = common.quiet ? null : new ProgressBarBuilder().setTaskName(dynamic ? "eval --dynamic" : "eval")
                .setInitialMax(ids.length - 1).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                .setMaxRenderedLength(100).setUnit(" tok", 1).continuousUpdate().build();
        LongConsumer progress = bar == null ? scored -> {} : bar::stepTo;
        try {
            if (dynamic) {
                e = DynamicEvaluation.evaluate(lm, ids, batch, bptt == null ? 32 : bptt, dynamicLr, dynamicDecay, progress);
            } else {
                e = LanguageModelTraining.evaluate(lm, ids, batch, bptt == null ? 128 : bptt, progress);
            }
            if (bar != null) bar.maxHint(e.tokens()).stepTo(e.tokens());   // the columns leave a few tokens unscored
        } catch (ArithmeticException diverged) {
            if (!dynamic) throw diverged;
            throw new InvalidOptionException(diverged.getMessage().replace("learning rate", "--dynamic-lr")
                    .replace("higher decay", "higher --dynamic-decay"), diverged);
        } finally {
            if (bar != null) bar.close();
        }
        boolean chars = tokenizer == Tokenizer.CHAR;
        if (json) {
            var node = new ObjectMapper().createObjectNode().put("tokens", e.tokens()).put("nats_per_token", e.natsPerToken());
            if (chars) node.put("bits_per_char", e.bitsPerToken());
            node.put("perplexity", e.perplexity());
            if (dynamic) node.put("dynamic_lr", dynamicLr).put("dynamic_decay", dynamicDecay);
            System.out.println(node);
        } else {
            System.out.printf("%s on %s: %s over %,d tokens (%.4f nats per token)%s%n", model, data,
                    LmOptions.describe(e.natsPerToken(), chars), e.tokens(), e.natsPerToken(),
                    dynamic ? String.format(", dynamic evaluation (lr %s, decay %s)", dynamicLr, dynamicDecay) : "");
        }
        return 0;
    }
}
