package dev.recur.data;

import dev.recur.tensor.InvalidOptionException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The symbols a model knows, each with an id; id 0 is the unknown symbol, used for anything unseen. Character
 * vocabularies hold one Unicode code point per symbol, word vocabularies one word (or punctuation mark, or
 * {@code "\n"}) per symbol. Stored in model files as the list of symbols in id order.
 */
public final class Vocabulary {
    /** The unknown symbol; its id is always 0. */
    public static final String UNKNOWN = "<unk>";

    private final List<String> symbols;
    private final Map<String, Integer> ids = new HashMap<>();

    private Vocabulary(List<String> symbols) {
        if (symbols.isEmpty() || !symbols.get(0).equals(UNKNOWN)) {
            throw new IllegalArgumentException("a vocabulary must start with " + UNKNOWN);
        }
        this.symbols = List.copyOf(symbols);
        for (int i = 0; i < symbols.size(); i++) {
            if (ids.put(symbols.get(i), i) != null) throw new IllegalArgumentException("the vocabulary lists \"" + symbols.get(i) + "\" twice");
        }
    }

    /** A vocabulary from stored symbols (the first must be {@link #UNKNOWN}). */
    public static Vocabulary of(List<String> symbols) {
        return new Vocabulary(symbols);
    }

    /**
     * The {@code maxSize − 1} most frequent symbols of {@code tokens} after the unknown symbol (ties broken by
     * first appearance), or all of them when {@code maxSize} is 0.
     */
    public static Vocabulary build(List<String> tokens, int maxSize) {
        return build(tokens, maxSize, 1);
    }

    /**
     * As {@link #build(List, int)}, keeping only symbols seen at least {@code minCount} times: with 2, words seen
     * once read as unknown in training, so the unknown symbol learns to stand for words never seen.
     */
    public static Vocabulary build(List<String> tokens, int maxSize, int minCount) {
        if (maxSize < 0 || maxSize == 1) throw new InvalidOptionException("vocabulary size must be 0 (no limit) or at least 2, got " + maxSize);
        if (minCount < 1) throw new InvalidOptionException("minimum count must be at least 1, got " + minCount);
        var counts = new LinkedHashMap<String, Integer>();
        for (String t : tokens) counts.merge(t, 1, Integer::sum);
        counts.remove(UNKNOWN);
        counts.values().removeIf(c -> c < minCount);
        var order = new ArrayList<>(counts.keySet());
        if (maxSize > 0 && order.size() > maxSize - 1) {
            order.sort((a, b) -> Integer.compare(counts.get(b), counts.get(a)));
            order = new ArrayList<>(order.subList(0, maxSize - 1));
        }
        var symbols = new ArrayList<String>();
        symbols.add(UNKNOWN);
        symbols.addAll(order);
        return new Vocabulary(symbols);
    }

    public int size() {
        return symbols.size();
    }

    /** The id of {@code symbol}, or 0 (unknown). */
    public int id(String symbol) {
        return ids.getOrDefault(symbol, 0);
    }

    public boolean contains(String symbol) {
        return ids.containsKey(symbol);
    }

    public String symbol(int id) {
        if (id < 0 || id >= symbols.size()) throw new IllegalArgumentException("symbol id " + id + " is outside the vocabulary of " + symbols.size());
        return symbols.get(id);
    }

    /** Symbols in id order, for storing. */
    public List<String> symbols() {
        return Collections.unmodifiableList(symbols);
    }
}
