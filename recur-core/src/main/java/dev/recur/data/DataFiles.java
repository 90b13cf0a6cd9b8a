package dev.recur.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a task's examples come from: a bundled data set (a folder under the repository's data/ named in
 * {@code bundled}, holding {@code train.*}, {@code valid.*} and {@code test.*}, or one file to be split) or a file or
 * folder of the user's, with optional explicit validation and test files ({@code --valid}, {@code --test}). A
 * part that is null is cut from the training file by the task (e.g. {@link Split#hashed}).
 * <pre>
 * DataFiles files = DataFiles.resolve("spam", null, null, List.of("spam", "sentiment"));   // data/spam/train.jsonl.gz, ...
 * DataFiles mine = DataFiles.resolve("reviews.csv", Path.of("dev.csv"), null, List.of()); // test cut from reviews.csv
 * </pre>
 *
 * @param name  the data set's name, for messages and default model names, e.g. "spam" or "reviews"
 * @param train the training file or folder
 * @param valid the validation file, or null
 * @param test  the test file, or null
 */
public record DataFiles(String name, Path train, Path valid, Path test) {

    public static DataFiles resolve(String spec, Path valid, Path test, List<String> bundled) throws IOException {
        for (Path p : new Path[] {valid, test}) {
            if (p != null && !Files.exists(p)) throw new NoSuchFileException(p + ": no such file");
        }
        if (bundled.contains(spec)) {
            Path dir = Corpus.home().resolve("data").resolve(spec);
            if (!Files.isDirectory(dir)) {
                throw new NoSuchFileException(dir + ": the bundled data set " + spec + " is missing; run recur from its repository (or set -Drecur.home)");
            }
            Path train = part(dir, "train");
            if (train != null) {
                return new DataFiles(spec, train, valid != null ? valid : part(dir, "valid"), test != null ? test : part(dir, "test"));
            }
            return new DataFiles(spec, only(dir), valid, test);
        }
        Path path = Path.of(spec);
        if (!Files.exists(path)) {
            throw new NoSuchFileException(spec + ": no such file or folder, and not a bundled data set" + (bundled.isEmpty() ? "" : " (" + String.join(", ", bundled) + ")"));
        }
        String name = (path.getFileName() == null ? path.toAbsolutePath().toString() : path.getFileName().toString()).replaceAll("(\\.gz)?$", "").replaceAll("\\.[^.]*$", "");
        return new DataFiles(name, path, valid, test);
    }

    /** True when a validation or a test file is missing: the missing part is cut from the training data. */
    public boolean splitNeeded() {
        return valid == null || test == null;
    }

    private static Path part(Path dir, String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(name + ".")).sorted().findFirst().orElse(null);
        }
    }

    private static Path only(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
            if (files.size() != 1) throw InvalidDataException.in(dir, "expected train.*, valid.* and test.* or one data file; found " + files.size() + " files");
            return files.get(0);
        }
    }
}
