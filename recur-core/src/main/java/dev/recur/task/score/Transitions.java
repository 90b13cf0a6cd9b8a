package dev.recur.task.score;

import java.util.ArrayList;
import java.util.List;

/**
 * The tag sequences a scheme allows, as a CRF's constrained Viterbi decoding uses them: {@code allowed[i][j]} whether
 * tag j may follow tag i, {@code allowedStart[j]} whether a sentence may begin with tag j, {@code allowedEnd[i]}
 * whether it may end with tag i. A decoder gives forbidden transitions a score of −∞ (AllenNLP's −10000). Made by
 * {@link TagScheme#transitions}, whose Javadoc lists the rules.
 * <pre>
 * var t = TagScheme.BIO.transitions(List.of("O", "B-PER", "I-PER"));
 * t.allowed(0, 2)        // false: O → I-PER
 * t.allowed(1, 2)        // true:  B-PER → I-PER
 * t.allowedStart(2)      // false: a sentence cannot begin inside a chunk
 * </pre>
 */
public final class Transitions {
    private final TagScheme scheme;
    private final List<String> tags;
    private final boolean[][] allowed;   // [from, to]
    private final boolean[] start;       // [to]
    private final boolean[] end;         // [from]

    Transitions(TagScheme scheme, List<String> tags, boolean[][] allowed, boolean[] start, boolean[] end) {
        this.scheme = scheme;
        this.tags = List.copyOf(tags);
        this.allowed = allowed;
        this.start = start;
        this.end = end;
    }

    /** The scheme whose rules these are. */
    public TagScheme scheme() {
        return scheme;
    }

    /** The tag names by index. */
    public List<String> tags() {
        return tags;
    }

    /** Whether tag {@code to} may follow tag {@code from}. */
    public boolean allowed(int from, int to) {
        return allowed[from][to];
    }

    /** Whether a sentence may begin with tag {@code to}. */
    public boolean allowedStart(int to) {
        return start[to];
    }

    /** Whether a sentence may end with tag {@code from}. */
    public boolean allowedEnd(int from) {
        return end[from];
    }

    /** A copy of the whole matrix, [from][to]. */
    public boolean[][] allowed() {
        var copy = new boolean[allowed.length][];
        for (int i = 0; i < allowed.length; i++) copy[i] = allowed[i].clone();
        return copy;
    }

    /** A copy of the start row, [to]. */
    public boolean[] allowedStart() {
        return start.clone();
    }

    /** A copy of the end column, [from]. */
    public boolean[] allowedEnd() {
        return end.clone();
    }

    /** Whether the tag sequence is one the scheme allows, from its start to its end; true for an empty one. */
    public boolean allows(int... path) {
        if (path.length == 0) return true;
        if (!start[path[0]] || !end[path[path.length - 1]]) return false;
        for (int t = 1; t < path.length; t++) {
            if (!allowed[path[t - 1]][path[t]]) return false;
        }
        return true;
    }

    /** "BIO transitions over 3 tags; forbidden: start → I-PER, O → I-PER". */
    @Override
    public String toString() {
        var forbidden = new ArrayList<String>();
        for (int j = 0; j < tags.size(); j++) if (!start[j]) forbidden.add("start → " + tags.get(j));
        for (int i = 0; i < tags.size(); i++) {
            for (int j = 0; j < tags.size(); j++) if (!allowed[i][j]) forbidden.add(tags.get(i) + " → " + tags.get(j));
        }
        for (int i = 0; i < tags.size(); i++) if (!end[i]) forbidden.add(tags.get(i) + " → end");
        return scheme + " transitions over " + tags.size() + " tags; forbidden: " + (forbidden.isEmpty() ? "none" : String.join(", ", forbidden));
    }
}
