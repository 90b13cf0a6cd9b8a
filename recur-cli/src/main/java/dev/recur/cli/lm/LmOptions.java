package dev.recur.cli.lm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.data.Tokenizer;
import dev.recur.io.SafeTensors;
import dev.recur.nn.CellType;
import dev.recur.task.LanguageModel;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Locale;

/** Option parsing and messages the lm verbs share. */
final class LmOptions {
    private LmOptions() {}

    /** Refuses a value below {@code min}, naming the option. */
    static void atLeast(String option, long value, long min) {
        if (value < min) throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
    }

    static Tokenizer tokenizer(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "char" -> Tokenizer.CHAR;
            case "word" -> Tokenizer.WORD;
            default -> throw new IllegalArgumentException("--tokens must be char or word, got \"" + name + "\"");
        };
    }

    /** --encoding: a character set Java knows, by name or alias (UTF-8, ISO-8859-1, windows-1252, ...). */
    static Charset encoding(String name) {
        try {
            return Charset.forName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--encoding: unknown encoding \"" + name + "\"; try UTF-8, ISO-8859-1 or windows-1252");
        }
    }

    static CellType cell(String name) {
        try {
            return CellType.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--cell must be lstm, gru or rnn, got \"" + name + "\"");
        }
    }

    /** "1.523 bits per character" for character models, "perplexity 87.1" for word models. */
    static String describe(double nats, boolean chars) {
        return chars ? String.format("%.3f bits per character", nats / Math.log(2)) : String.format("perplexity %.1f", Math.exp(nats));
    }

    /** Rebuilds a model from a checkpoint's recur.config and model tensors (the trainer restores the rest). */
    static LanguageModel modelFromCheckpoint(Path checkpoint) throws IOException {
        var saved = SafeTensors.read(checkpoint);
        String config = saved.metadata().get("recur.config");
        if (config == null) throw new IllegalArgumentException(checkpoint + ": not a language-model checkpoint (no recur.config)");
        var weights = new java.util.LinkedHashMap<String, dev.recur.tensor.Tensor>();
        saved.tensors().forEach((name, t) -> {
            if (name.startsWith("model.")) weights.put(name.substring(6), t);
        });
        return LanguageModel.of(checkpoint.toString(), new ObjectMapper().readTree(config), weights);
    }
}
