package dev.recur.data;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A text data set split into train, validation and test. {@code data} (recur's {@code --data}) names a bundled corpus
 * (a folder under the repository's data/ with train/valid/test.txt.gz, e.g. {@code sotu}) or any text file (UTF-8
 * unless named), which is split by characters (code points): the first 90% train, the next 5% validation, the last
 * 5% test. The bundled corpora are found under {@link #home()}.
 * <pre>
 * var corpus = Corpus.resolve("moby-dick.txt");   // 1,000 characters: train 900, valid 50, test 50
 * var names = Corpus.resolve("names");            // data/names/train.txt.gz, valid.txt.gz, test.txt.gz
 * </pre>
 */
public record Corpus(String name, String train, String valid, String test) {

    /** Names of the corpora shipped in data/. */
    public static final List<String> BUNDLED = List.of("sotu", "moby-dick", "names");

    public static Corpus resolve(String data) throws IOException {
        return resolve(data, StandardCharsets.UTF_8);
    }

    /** As {@link #resolve(String)}, a file read in {@code encoding} (the bundled corpora are UTF-8). */
    public static Corpus resolve(String data, Charset encoding) throws IOException {
        if (BUNDLED.contains(data)) {
            Path dir = home().resolve("data").resolve(data);
            if (!Files.isDirectory(dir)) {
                throw new java.nio.file.NoSuchFileException(dir + ": the bundled corpus " + data
                        + " is missing; run recur from its repository (or set -Drecur.home)");
            }
            return new Corpus(data, TextCorpus.read(dir.resolve("train.txt.gz")), TextCorpus.read(dir.resolve("valid.txt.gz")),
                    TextCorpus.read(dir.resolve("test.txt.gz")));
        }
        Path file = Path.of(data);
        if (!Files.exists(file)) {
            throw new java.nio.file.NoSuchFileException(data + ": no such file, and not a bundled corpus (" + String.join(", ", BUNDLED) + ")");
        }
        String text = TextCorpus.read(file, encoding);
        int[] cps = text.codePoints().toArray();
        if (cps.length < 100) {
            throw new InvalidDataException(data + ": holds only " + cps.length + " characters; a language model needs at least 100");
        }
        int a = (int) (cps.length * 0.90), b = (int) (cps.length * 0.95);
        return new Corpus(file.getFileName().toString(), new String(cps, 0, a), new String(cps, a, b - a), new String(cps, b, cps.length - b));
    }

    /** The repository the launcher runs from ({@code recur.home}), else the working directory. */
    public static Path home() {
        return Path.of(System.getProperty("recur.home", "."));
    }
}
