package dev.recur.cli.lm;

import dev.recur.tensor.InvalidOptionException;
import java.nio.charset.Charset;

/** Option checks and messages the lm verbs share. */
final class LmOptions {
    private LmOptions() {}

    /** Refuses a value below {@code min}, naming the option. */
    static void atLeast(String option, long value, long min) {
        if (value < min) throw new InvalidOptionException(option + " must be at least " + min + ", got " + value);
    }

    /** --encoding: a character set Java knows, by name or alias (UTF-8, ISO-8859-1, windows-1252, ...). */
    static Charset encoding(String name) {
        try {
            return Charset.forName(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException("--encoding: unknown encoding \"" + name + "\"; try UTF-8, ISO-8859-1 or windows-1252");
        }
    }

    /** "1.523 bits per character" for character models, "perplexity 87.1" for word models. */
    static String describe(double nats, boolean chars) {
        return chars ? String.format("%.3f bits per character", nats / Math.log(2)) : String.format("perplexity %.1f", Math.exp(nats));
    }
}
