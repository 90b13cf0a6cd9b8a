package dev.recur.task.classify;

import dev.recur.data.Csv;
import dev.recur.data.InvalidDataException;
import dev.recur.data.JsonLines;
import dev.recur.data.Table;
import dev.recur.data.TextCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A text with its label, and where it was read ({@code file:line}, or the file of a folder's text).
 * <p>
 * {@link #read} takes the formats users have: CSV or TSV with a header (RFC 4180: quoted fields may hold commas,
 * quotes, tabs and line breaks), JSON lines, or a folder whose subfolders are the labels and whose files are the
 * texts (Keras' {@code text_dataset_from_directory}). The format follows the name: {@code .csv}, {@code .tsv},
 * {@code .jsonl} (each also {@code .gz}); a folder by being one.
 * <pre>
 * List&lt;LabelledText&gt; reviews = LabelledText.read(Path.of("reviews.csv"), "text", "label");
 * </pre>
 */
public record LabelledText(String text, String label, String source) {

    /** Reads every example; a missing text or label, or a file with none, is an {@link InvalidDataException} naming the place. */
    public static List<LabelledText> read(Path path, String textColumn, String labelColumn) throws IOException {
        if (!Files.exists(path)) throw new NoSuchFileException(path + ": no such file or folder");
        List<LabelledText> all = Files.isDirectory(path) ? readFolder(path) : readFile(path, textColumn, labelColumn);
        if (all.isEmpty()) throw InvalidDataException.in(path, "holds no examples; expected texts with their " + labelColumn + " (a " + textColumn + " and a " + labelColumn + " column, field or folder)");
        return all;
    }

    /** Reads texts without labels (for prediction): a table's or JSON lines' text column, else one text per line. */
    public static List<LabelledText> readTexts(Path path, String textColumn) throws IOException {
        String name = baseName(path);
        if (name.endsWith(".csv") || name.endsWith(".tsv") || name.endsWith(".jsonl")) {
            return readFile(path, textColumn, null);
        }
        var texts = new ArrayList<LabelledText>();
        String[] lines = TextCorpus.read(path).split("\n", -1);
        for (int i = 0; i < lines.length; i++) if (!lines[i].isBlank()) texts.add(new LabelledText(lines[i], null, path + ":" + (i + 1)));
        return texts;
    }

    private static List<LabelledText> readFile(Path path, String textColumn, String labelColumn) throws IOException {
        String name = baseName(path);
        var all = new ArrayList<LabelledText>();
        if (name.endsWith(".jsonl")) {
            for (JsonLines.Line line : JsonLines.read(path)) {
                String label = labelColumn == null ? null : label(line, labelColumn);
                String text = line.text(textColumn);
                if (text.isBlank()) throw line.error("the " + textColumn + " is empty");
                if (labelColumn != null && label.isBlank()) throw line.error("the " + labelColumn + " is empty");
                all.add(new LabelledText(text, label, path + ":" + line.line()));
            }
        } else if (name.endsWith(".csv") || name.endsWith(".tsv")) {
            Table table = labelColumn == null ? Csv.read(path).require(textColumn) : Csv.read(path).require(textColumn, labelColumn);
            for (Table.Row row : table.rows()) {
                String text = row.get(textColumn), label = labelColumn == null ? null : row.get(labelColumn);
                if (text == null || text.isBlank()) throw row.error("the " + textColumn + " is empty");
                if (labelColumn != null && (label == null || label.isBlank())) throw row.error("the " + labelColumn + " is empty");
                all.add(new LabelledText(text, label, path + ":" + row.line()));
            }
        } else {
            throw InvalidDataException.in(path, "is not .csv, .tsv or .jsonl (optionally .gz), nor a folder of label folders");
        }
        return all;
    }

    private static List<LabelledText> readFolder(Path folder) throws IOException {
        var all = new ArrayList<LabelledText>();
        List<Path> labels;
        try (Stream<Path> s = Files.list(folder)) {
            labels = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        if (labels.isEmpty()) throw InvalidDataException.in(folder, "has no subfolders; expected one folder per label holding its texts");
        for (Path label : labels) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(label)) {
                files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
            }
            for (Path f : files) {
                if (Files.size(f) == 0) continue;   // an empty file is no example
                String text = TextCorpus.read(f);
                if (!text.isBlank()) all.add(new LabelledText(text, label.getFileName().toString(), f.toString()));
            }
        }
        return all;
    }

    /** A label may be a string or a number (0/1, a class id). */
    private static String label(JsonLines.Line line, String field) {
        var v = line.get(field);
        if (!v.isTextual() && !v.isNumber() && !v.isBoolean()) throw line.error("the " + field + " is " + v + "; expected a string or a number");
        return v.asText();
    }

    private static String baseName(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }
}
