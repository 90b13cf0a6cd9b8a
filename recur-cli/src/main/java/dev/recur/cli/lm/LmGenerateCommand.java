package dev.recur.cli.lm;

import dev.recur.tensor.InvalidOptionException;
import dev.recur.cli.CommonOptions;
import dev.recur.data.Tokenizer;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.Sampler;
import dev.recur.tensor.Rng;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate text from a language model, streamed to stdout as it is produced.",
        footer = {"%nExamples:",
                "  recur lm generate --model sotu-lstm.safetensors --prompt \"My fellow citizens\" --length 500",
                "  recur lm generate --model names-lstm.safetensors --lines 20 --temperature 0.7 --top-k 10 --seed 3"})
public final class LmGenerateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "A model written by `recur lm train`.")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "", description = "Text to start from (default: a line break).")
    String prompt;

    @Option(names = "--length", paramLabel = "N",
            description = "Characters or words to generate (default: 500, or 100 per line with --lines).")
    Integer length;

    @Option(names = "--lines", paramLabel = "N", defaultValue = "0",
            description = "Stop after N line breaks, e.g. N names from a names model; 0 = no limit (default: ${DEFAULT-VALUE}).")
    int lines;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "Sampling temperature > 0: 1 samples the model's own distribution, lower values favour the likeliest "
                    + "tokens (safer, more repetitive text), higher ones the unlikely (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Sample from the K most likely tokens; 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0", description = "Nucleus sampling mass in (0, 1] (default: ${DEFAULT-VALUE}).")
    float topP;

    @Override
    public Integer call() throws Exception {
        if (length != null && length < 0) throw new InvalidOptionException("--length must be ≥ 0, got " + length);
        if (lines < 0) throw new InvalidOptionException("--lines must be ≥ 0, got " + lines);
        int limit = length != null ? length : lines > 0 ? (int) Math.min(Integer.MAX_VALUE, 100L * lines) : 500;
        var sampler = new Sampler(temperature, topK, topP);
        LanguageModel lm = LanguageModel.load(model);
        Tokenizer tokenizer = lm.config().tokens();
        List<String> promptTokens = tokenizer.split(prompt);
        var unseen = promptTokens.stream().filter(t -> !lm.vocabulary().contains(t)).distinct().toList();
        if (!unseen.isEmpty()) {
            spec.commandLine().getErr().println("recur: warning: the model has never seen " + unseen
                    + " in the prompt; they are read as the unknown symbol");
            spec.commandLine().getErr().flush();
        }
        int[] ids = tokenizer.encode(prompt, lm.vocabulary());
        var out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(prompt);
        int[] breaks = {0};
        var spacer = tokenizer.spacer(prompt);
        sampler.generateWhile(lm, ids, limit, new Rng(common.seed), token -> {
            if (token.equals("\n") && lines > 0 && ++breaks[0] == lines) return false;
            out.print(spacer.apply(token));
            out.flush();
            return true;
        });
        out.println();
        return 0;
    }
}
