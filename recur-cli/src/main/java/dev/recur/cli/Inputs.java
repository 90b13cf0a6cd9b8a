package dev.recur.cli;

import dev.recur.data.TextCorpus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** What a {@code --input FILE|-} option names: the file's text (UTF-8, optionally .gz), or standard input for {@code -}. */
public final class Inputs {
    private Inputs() {}

    public static String text(String input) throws IOException {
        if (input.equals("-")) return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        return TextCorpus.read(Path.of(input));
    }

    /** How messages name the input: the file, or {@code <stdin>}. */
    public static String name(String input) {
        return input.equals("-") ? "<stdin>" : input;
    }
}
