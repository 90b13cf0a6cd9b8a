package dev.recur.task.score;

import java.util.ArrayList;
import java.util.List;

/**
 * A chunk of a tagged sentence — a named entity, a noun phrase — as its type and the tokens {@code [start, end)} it
 * covers. {@link #of} finds them with conlleval's rules (see {@link Chunks}): a chunk starts where conlleval's
 * startOfChunk says so and runs until its endOfChunk, or until the next chunk starts, so BIO, IOB and BIOES tags, and
 * a mixture, read as the CoNLL scripts read them.
 * <pre>
 * Span.of(List.of("B-PER", "I-PER", "O", "I-LOC", "B-LOC"))   // [PER 0..2, LOC 3..4, LOC 4..5]
 * </pre>
 *
 * @param type  the chunk type, the tag after its first hyphen, e.g. "PER" or "AM-TMP"
 * @param start the first token, from 0
 * @param end   one past the last token
 */
public record Span(String type, int start, int end) {

    public Span {
        if (start < 0 || end <= start)
            throw new IllegalArgumentException("a span covers tokens [start, end) with 0 <= start < end, got [" + start + ", " + end + ")");
    }

    /** The chunks of one sentence's tags, in order. */
    public static List<Span> of(List<String> tags) {
        var spans = new ArrayList<Span>();
        String prevTag = "O", prevType = "", openType = "";
        int open = -1;   // the first token of the chunk being read, or -1
        for (int t = 0; t <= tags.size(); t++) {
            String tag = t < tags.size() ? tags.get(t) : "O";   // an O after the sentence ends its last chunk
            String prefix = Chunks.prefix(tag), type = Chunks.type(tag);
            boolean start = Chunks.start(prevTag, prefix, prevType, type);
            if (open >= 0 && (start || Chunks.end(prevTag, prefix, prevType, type))) {
                spans.add(new Span(openType, open, t));
                open = -1;
            }
            if (start) {
                open = t;
                openType = type;
            }
            prevTag = prefix;
            prevType = type;
        }
        return spans;
    }

    /** The number of tokens covered. */
    public int length() {
        return end - start;
    }

    /** "PER 0..2". */
    @Override
    public String toString() {
        return type + " " + start + ".." + end;
    }
}
