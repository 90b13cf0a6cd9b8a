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
 * Reads a CoNLL-2000/2003 style file: one token per line with its columns, sentences separated by blank lines,
 * {@code -DOCSTART-} lines skipped (they also end a sentence). Columns are separated by tabs if the first token line
 * holds a tab, else by runs of white space; every token line must have as many columns as the first, or it is an
 * {@link InvalidDataException} at its line. The caller picks the token and tag columns, from 0, a negative number
 * counting from the end (−1: the last); by default the first and the last. A file without tokens gives no sentences.
 * <pre>
 * train.conll    -DOCSTART- -X- -X- O
 *                (blank)
 *                EU NNP B-NP B-ORG
 *                rejects VBZ B-VP O
 * var ner = Conll.read(Path.of("train.conll"));                  // tokens [EU, rejects], tags [B-ORG, O], line 3
 * var chunks = Conll.read(Path.of("train.conll"), UTF_8, 0, 2);  // tags [B-NP, B-VP]
 * </pre>
 */
public final class Conll {
    /** The first column of a document separator line, which is skipped. */
    public static final String DOCSTART = "-DOCSTART-";

    private Conll() {}

    /** A UTF-8 file; tokens from the first column, tags from the last. */
    public static List<Sentence> read(Path file) throws IOException {
        return read(file, StandardCharsets.UTF_8, 0, -1);
    }

    public static List<Sentence> read(Path file, Charset charset, int tokenColumn, int tagColumn) throws IOException {
        try (TextSource src = TextSource.open(file, charset)) {
            return read(src, tokenColumn, tagColumn);
        }
    }

    /** Reads {@code reader}; {@code name} stands for it in messages. */
    public static List<Sentence> read(Reader reader, Path name, int tokenColumn, int tagColumn) throws IOException {
        try (TextSource src = TextSource.of(reader, name)) {
            return read(src, tokenColumn, tagColumn);
        }
    }

    /** Parses {@code text}, named {@code <text>} in messages. */
    public static List<Sentence> parse(String text, int tokenColumn, int tagColumn) {
        try {
            return read(new StringReader(text), Path.of("<text>"), tokenColumn, tagColumn);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringReader does not fail
        }
    }

    private static List<Sentence> read(TextSource src, int tokenColumn, int tagColumn) throws IOException {
        var sentences = new ArrayList<Sentence>();
        var tokens = new ArrayList<String>();
        var tags = new ArrayList<String>();
        Layout layout = null;
        long start = 0;
        for (long at = src.line(); ; at = src.line()) {
            String line = src.readLine();
            boolean token = line != null && !line.isBlank() && !isDocstart(line);
            if (!token && !tokens.isEmpty()) {
                sentences.add(new Sentence(src.name(), start, List.copyOf(tokens), List.copyOf(tags)));
                tokens.clear();
                tags.clear();
            }
            if (line == null) return sentences;
            if (!token) continue;
            if (layout == null) layout = Layout.of(src, at, line, tokenColumn, tagColumn);
            String[] columns = layout.split(src, at, line);
            if (tokens.isEmpty()) start = at;
            tokens.add(columns[layout.token]);
            tags.add(columns[layout.tag]);
        }
    }

    private static boolean isDocstart(String line) {
        String s = line.strip();
        return s.startsWith(DOCSTART) && (s.length() == DOCSTART.length() || Character.isWhitespace(s.charAt(DOCSTART.length())));
    }

    /** How the file's token lines are laid out, from its first one. */
    private record Layout(boolean tabs, int columns, long firstLine, int token, int tag) {

        static Layout of(TextSource src, long at, String line, int tokenColumn, int tagColumn) {
            boolean tabs = line.indexOf('\t') >= 0;
            int n = fields(line, tabs).length;
            return new Layout(tabs, n, at, column(src, at, n, tokenColumn, "token"), column(src, at, n, tagColumn, "tag"));
        }

        private static int column(TextSource src, long at, int n, int requested, String what) {
            int c = requested < 0 ? n + requested : requested;
            if (c < 0 || c >= n) {
                throw src.error(at, "has " + n + " column" + (n == 1 ? "" : "s") + "; there is no " + what + " column " + requested
                        + " (columns count from 0, −1 is the last)");
            }
            return c;
        }

        String[] split(TextSource src, long at, String line) {
            String[] f = fields(line, tabs);
            if (f.length != columns) {
                throw src.error(at, "expected " + columns + " " + (tabs ? "tab-separated " : "") + "columns (as on line " + firstLine
                        + "), got " + f.length);
            }
            return f;
        }

        private static String[] fields(String line, boolean tabs) {
            return tabs ? line.split("\t", -1) : line.strip().split("\\s+");
        }
    }

    /** A sentence's tokens and their tags, and the line of its first token. */
    public record Sentence(Path source, long line, List<String> tokens, List<String> tags) {

        public int size() {
            return tokens.size();
        }

        /** An error at this sentence: "{@code file:line: detail}". */
        public InvalidDataException error(String detail) {
            return InvalidDataException.at(source, line, detail);
        }
    }
}
