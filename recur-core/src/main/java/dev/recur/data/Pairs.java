package dev.recur.data;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sequence pairs, one a line, {@code source<TAB>target} (UTF-8, optionally {@code .gz}), as sequence-to-sequence
 * data is written; several lines with the same source are alternative references. Blank lines are skipped; a line
 * without exactly one tab, or with an empty side, is an {@link InvalidDataException} naming the file and line.
 * <pre>
 * List&lt;Pairs.Pair&gt; pairs = Pairs.read(Path.of("data/cmudict/train.tsv.gz"));
 * pairs.get(0).source();   // "A"
 * </pre>
 */
public final class Pairs {
    private Pairs() {}

    /** One line: its source, its target and the line it is on (from 1). */
    public record Pair(String source, String target, long line) {}

    public static List<Pair> read(Path file) throws IOException {
        try (TextSource src = TextSource.open(file, StandardCharsets.UTF_8)) {
            return read(src);
        }
    }

    /** Parses {@code text}, named {@code <text>} in messages. */
    public static List<Pair> parse(String text) {
        try (TextSource src = TextSource.of(new StringReader(text), Path.of("<text>"))) {
            return read(src);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringReader does not fail
        }
    }

    private static List<Pair> read(TextSource src) throws IOException {
        var pairs = new ArrayList<Pair>();
        var line = new StringBuilder();
        while (true) {
            long at = src.line();
            line.setLength(0);
            int c;
            while ((c = src.read()) != -1 && c != '\n') line.append((char) c);
            if (c == -1 && line.isEmpty()) break;
            pairs.addAll(pair(src, line.toString(), at));
            if (c == -1) break;
        }
        if (pairs.isEmpty()) throw InvalidDataException.in(src.name(), "no pairs: the file is empty; write one source<TAB>target pair a line");
        return pairs;
    }

    private static List<Pair> pair(TextSource src, String text, long at) {
        if (text.isBlank()) return List.of();
        int tab = text.indexOf('\t');
        if (tab < 0) throw src.error(at, "no tab: a line holds source<TAB>target");
        if (text.indexOf('\t', tab + 1) >= 0) throw src.error(at, "more than one tab: a line holds source<TAB>target, and neither side may hold a tab");
        String source = text.substring(0, tab).strip(), target = text.substring(tab + 1).strip();
        if (source.isEmpty()) throw src.error(at, "the source (before the tab) is empty");
        if (target.isEmpty()) throw src.error(at, "the target (after the tab) is empty");
        return List.of(new Pair(source, target, at));
    }
}
