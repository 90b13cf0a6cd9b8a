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

    /** Reads a file of examples. */
    @FunctionalInterface
    public interface Reader<T> {
        List<T> read(Path file) throws IOException;
    }

    /** The training, validation and test examples. */
    public record Parts<T>(List<T> train, List<T> valid, List<T> test) {}

    /**
     * The three parts: the files given, and for a missing one a cut of {@code all} (the training file's examples)
     * by {@link Split#hashed} of each example's {@code key} (5 % validation, 5 % test); a hashed part not needed
     * goes back to training. An empty part is an {@link InvalidDataException} saying what to give.
     */
    public <T> Parts<T> parts(List<T> all, java.util.function.Function<T, String> key, Reader<T> reader) throws IOException {
        List<T> train = all, validPart, testPart;
        if (splitNeeded()) {
            Split split = Split.hashed(all.stream().map(key).toList(), 0.05, 0.05);
            int[] kept = split.train();
            if (valid != null) kept = union(kept, split.valid());
            if (test != null) kept = union(kept, split.test());
            train = Split.select(all, kept);
            validPart = valid != null ? reader.read(valid) : Split.select(all, split.valid());
            testPart = test != null ? reader.read(test) : Split.select(all, split.test());
        } else {
            validPart = reader.read(valid);
            testPart = reader.read(test);
        }
        for (var part : List.of(train, validPart, testPart)) {
            if (part.isEmpty()) {
                throw InvalidDataException.in(name, "too few examples to cut a " + (part == train ? "training" : part == validPart ? "validation" : "test")
                        + " part from; give more, or --valid and --test files");
            }
        }
        return new Parts<>(train, validPart, testPart);
    }

    private static int[] union(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        java.util.Arrays.sort(c);
        return c;
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
