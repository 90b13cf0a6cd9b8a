package dev.recur.cli.lm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.Corpus;
import dev.recur.data.TextCorpus;
import dev.recur.data.Tokenizer;
import dev.recur.task.LanguageModel;
import dev.recur.task.LanguageModelTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Bits per character (char models) or perplexity (word models) of a model on a text.",
        footer = {"%nThe whole text is read, cut into --batch columns, each with its state carried from its start.",
                "A bundled corpus name (sotu, moby-dick, names) evaluates its test split.",
                "%nExamples:",
                "  recur lm eval --model moby.safetensors --data moby-dick",
                "  recur lm eval --model sotu-lstm.safetensors --data speech.txt --json"})
public final class LmEvalCommand implements Callable<Integer> {
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

    @Override
    public Integer call() throws Exception {
        LanguageModel lm = LanguageModel.load(model);
        String text = Corpus.BUNDLED.contains(data) ? Corpus.resolve(data).test()
                : TextCorpus.read(Path.of(data), LmOptions.encoding(encoding));
        Tokenizer tokenizer = lm.config().tokens();
        int[] ids = tokenizer.encode(text, lm.vocabulary());
        if (ids.length < 2) throw new IllegalArgumentException(data + ": too short to evaluate; it needs at least 2 tokens");
        var e = LanguageModelTraining.evaluate(lm, ids, batch, 128);
        boolean chars = tokenizer == Tokenizer.CHAR;
        if (json) {
            var node = new ObjectMapper().createObjectNode().put("tokens", e.tokens()).put("nats_per_token", e.natsPerToken());
            if (chars) node.put("bits_per_char", e.bitsPerToken());
            node.put("perplexity", e.perplexity());
            System.out.println(node);
        } else {
            System.out.printf("%s on %s: %s over %,d tokens (%.4f nats per token)%n", model, data,
                    LmOptions.describe(e.natsPerToken(), chars), e.tokens(), e.natsPerToken());
        }
        return 0;
    }
}
