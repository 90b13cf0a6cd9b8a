package dev.recur.data;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a CSV or TSV file with a header row (RFC 4180) into a {@link Table} whose rows are addressed by column name.
 * A field in double quotes may hold the delimiter, tabs, line breaks and quotes written twice ({@code ""}); a quote
 * inside an unquoted field is kept as written. A byte-order mark is skipped, {@code \r\n} and {@code \r} read as
 * {@code \n} (also inside quoted fields), empty lines are skipped, white space around fields is kept, and a
 * {@code .gz} file is decompressed.
 * <pre>
 * Table reviews = Csv.read(Path.of("reviews.tsv")).require("text", "label");   // tab: by the extension
 * for (Table.Row row : reviews.rows()) classify(row.get("text"), row.get("label"));
 * </pre>
 * Errors are {@link InvalidDataException}s at the line where the record starts: a row with more or fewer fields than
 * the header, a quote that is never closed, text after a closing quote, a repeated column name, a requested column
 * the header lacks (at the header's line, listing its columns). A file without a header row is an error; a header
 * with no rows after it gives an empty table, and the caller decides whether that is acceptable.
 */
public final class Csv {
    public static final char COMMA = ',';
    public static final char TAB = '\t';

    private Csv() {}

    /** Reads a UTF-8 file; tab-separated if its name ends in {@code .tsv} (or {@code .tsv.gz}), else comma-separated. */
    public static Table read(Path file) throws IOException {
        return read(file, StandardCharsets.UTF_8);
    }

    public static Table read(Path file, Charset charset) throws IOException {
        return read(file, charset, TextSource.baseName(file).endsWith(".tsv") ? TAB : COMMA);
    }

    public static Table read(Path file, Charset charset, char delimiter) throws IOException {
        checkDelimiter(delimiter);
        try (TextSource src = TextSource.open(file, charset)) {
            return read(src, delimiter);
        }
    }

    /** Reads {@code reader}; {@code name} stands for it in messages. */
    public static Table read(Reader reader, Path name, char delimiter) throws IOException {
        checkDelimiter(delimiter);
        try (TextSource src = TextSource.of(reader, name)) {
            return read(src, delimiter);
        }
    }

    /** Parses {@code text}, named {@code <text>} in messages. */
    public static Table parse(String text, char delimiter) {
        try {
            return read(new StringReader(text), Path.of("<text>"), delimiter);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringReader does not fail
        }
    }

    private static void checkDelimiter(char delimiter) {
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException("a CSV delimiter cannot be a quote or a line break, got " + (int) delimiter);
        }
    }

    private static Table read(TextSource src, char delimiter) throws IOException {
        long headerLine = skipEmptyLines(src);
        List<String> header = record(src, delimiter, headerLine);
        if (header == null) throw src.error(1, "no header row; expected a first line of column names");
        var table = new Table(src.name(), headerLine, header);
        for (long start = skipEmptyLines(src); ; start = skipEmptyLines(src)) {
            List<String> fields = record(src, delimiter, start);
            if (fields == null) return table;
            if (fields.size() != header.size()) {
                throw src.error(start, "expected " + header.size() + " fields (as the header: " + String.join(", ", header)
                        + "), got " + fields.size() + (fields.size() > header.size() ? "; is a field with the delimiter missing its quotes?" : ""));
            }
            table.add(start, fields.toArray(String[]::new));
        }
    }

    /** Consumes empty lines; returns the line the next record starts on. */
    private static long skipEmptyLines(TextSource src) throws IOException {
        while (src.atLineEnd()) src.read();
        return src.line();
    }

    /** The fields of the record starting at the current character, or null at the end of the text. */
    private static List<String> record(TextSource src, char delimiter, long start) throws IOException {
        int c = src.read();
        if (c < 0) return null;
        var fields = new ArrayList<String>();
        var field = new StringBuilder();
        while (true) {
            if (c == '"') {
                c = quoted(src, field, start, fields.size() + 1);
                if (c >= 0 && c != '\n' && c != delimiter) {
                    throw src.error(start, "field " + (fields.size() + 1) + ": expected the delimiter or a line end after the closing quote, got '"
                            + (char) c + "'; a quote inside a quoted field is written twice (\"\")");
                }
            } else {
                while (c >= 0 && c != '\n' && c != delimiter) {
                    field.append((char) c);
                    c = src.read();
                }
            }
            fields.add(field.toString());
            field.setLength(0);
            if (c != delimiter) return fields;
            c = src.read();
        }
    }

    /** Reads a quoted field's text after its opening quote; returns the character after the closing quote. */
    private static int quoted(TextSource src, StringBuilder field, long start, int index) throws IOException {
        long opened = src.line();
        while (true) {
            int c = src.read();
            if (c < 0) {
                throw src.error(start, "field " + index + ": the quote opened on line " + opened
                        + " is never closed; a quote inside a quoted field is written twice (\"\")");
            }
            if (c == '"') {
                c = src.read();
                if (c != '"') return c;
            }
            field.append((char) c);
        }
    }
}
