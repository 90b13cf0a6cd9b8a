package dev.recur.task.tag;

import dev.recur.data.Conll;
import dev.recur.data.InvalidDataException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A sentence's tokens and their tags, and where it starts ({@code file:line}).
 * <p>
 * {@link #read} takes CoNLL column files: one token per line, the token in the first column and the tag in the
 * last (or the column given), a blank line between sentences, {@code -DOCSTART-} lines skipped.
 */
public record TaggedSentence(List<String> tokens, List<String> tags, String source) {

    /** Reads every sentence; a file with none is an {@link InvalidDataException}. {@code tagColumn} −1 is the last. */
    public static List<TaggedSentence> read(Path file, int tagColumn) throws IOException {
        var all = new ArrayList<TaggedSentence>();
        boolean oneColumn = tagColumn == 0 || tagColumn < 0 && columns(file) < 2;
        for (Conll.Sentence s : Conll.read(file, java.nio.charset.StandardCharsets.UTF_8, 0, tagColumn)) {
            if (s.size() == 0) continue;
            if (oneColumn) {
                throw s.error("the tag column is the token column; expected a token and a tag on each line (tag last, or --tag-column N)");
            }
            all.add(new TaggedSentence(s.tokens(), s.tags(), file + ":" + s.line()));
        }
        if (all.isEmpty()) throw InvalidDataException.in(file, "holds no sentences; expected lines of token and tag, a blank line between sentences");
        return all;
    }

    /** The columns of the file's first token line (tab-separated when it holds a tab, else by white space). */
    private static int columns(Path file) throws IOException {
        var raw = java.nio.file.Files.newInputStream(file);
        var in = file.toString().endsWith(".gz") ? new java.util.zip.GZIPInputStream(raw) : raw;
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith(Conll.DOCSTART)) continue;
                return line.contains("\t") ? line.split("\t").length : line.trim().split("\\s+").length;
            }
            return 0;
        }
    }
}
