package dev.recur.task.seq2seq;

import dev.recur.data.Pairs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Distinct sources, in order of first appearance, each with its references: every line with the same source
 * adds one (the variants of a pronunciation, several translations).
 */
public record References(List<String> sources, List<List<String>> references) {

    public static References of(List<Pairs.Pair> pairs) {
        var map = new LinkedHashMap<String, List<String>>();
        for (Pairs.Pair p : pairs) map.computeIfAbsent(p.source(), s -> new ArrayList<>()).add(p.target());
        return new References(List.copyOf(map.keySet()), map.values().stream().map(List::copyOf).toList());
    }

    public int size() {
        return sources.size();
    }
}
