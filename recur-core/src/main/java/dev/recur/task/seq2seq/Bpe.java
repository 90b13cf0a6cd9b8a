package dev.recur.task.seq2seq;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Byte-pair encoding as Sennrich et al. (2016) learn and apply it ({@code subword-nmt}): a word is its characters
 * with an end-of-word mark on the last, and each merge joins the most frequent adjacent pair of symbols in the
 * training words (weighted by their counts) into one. Applying the merges in the order they were learned splits a
 * word into subwords; every subword but a word's last is written with a trailing {@code @@}, so that
 * {@link #join} restores the text.
 * <pre>
 * Bpe bpe = Bpe.learn(List.of("lower", "lowest", "newer", "wider"), 10);
 * bpe.split("lowering");                     // [lower@@, ing] (which pieces depends on the merges learned)
 * Bpe.join(List.of("lower@@", "ing", "now"));   // "lowering now"
 * </pre>
 */
public final class Bpe {
    /** Marks a subword that the next one continues. */
    public static final String CONTINUED = "@@";
    private static final String END = "</w>";

    private final List<String[]> merges;
    private final Map<String, Integer> ranks = new HashMap<>();
    private final Map<String, List<String>> cache = new HashMap<>();

    private Bpe(List<String[]> merges) {
        this.merges = List.copyOf(merges);
        for (int i = 0; i < merges.size(); i++) ranks.putIfAbsent(merges.get(i)[0] + ' ' + merges.get(i)[1], i);
    }

    /** The merges {@link #merges()} listed, as stored in a model file ("a b" each). */
    public static Bpe of(List<String> merges) {
        var list = new ArrayList<String[]>();
        for (String m : merges) {
            String[] pair = m.split(" ");
            if (pair.length != 2) throw new IllegalArgumentException("a BPE merge must be two symbols separated by a space, got \"" + m + "\"");
            list.add(pair);
        }
        return new Bpe(list);
    }

    /** Learns up to {@code count} merges from the words of {@code lines} (split on white space). */
    public static Bpe learn(List<String> lines, int count) {
        var wordCounts = new LinkedHashMap<String, Integer>();
        for (String line : lines) for (String w : line.trim().split("\\s+")) if (!w.isEmpty()) wordCounts.merge(w, 1, Integer::sum);
        // Symbols as ids; each distinct word a list of symbol ids with its count.
        var names = new ArrayList<String>();
        var ids = new HashMap<String, Integer>();
        int n = wordCounts.size();
        int[][] words = new int[n][];
        int[] freq = new int[n];
        int w = 0;
        for (var e : wordCounts.entrySet()) {
            List<String> chars = characters(e.getKey());
            words[w] = new int[chars.size()];
            for (int i = 0; i < chars.size(); i++) words[w][i] = ids.computeIfAbsent(chars.get(i), s -> { names.add(s); return names.size() - 1; });
            freq[w++] = e.getValue();
        }
        var counts = new HashMap<Pair, Long>();
        var where = new HashMap<Pair, Set<Integer>>();
        for (int i = 0; i < n; i++) addPairs(words[i], i, freq[i], 1, counts, where);
        // Most frequent pair first; ties by the symbols' ids (earlier symbols first), so the order is deterministic.
        // Entries go stale when counts change and are checked against counts when taken.
        var queue = new PriorityQueue<Queued>((x, y) -> x.count != y.count ? Long.compare(y.count, x.count)
                : x.pair.a != y.pair.a ? Integer.compare(x.pair.a, y.pair.a) : Integer.compare(x.pair.b, y.pair.b));
        counts.forEach((pair, c) -> queue.add(new Queued(c, pair)));
        var merges = new ArrayList<String[]>();
        while (merges.size() < count && !queue.isEmpty()) {
            Queued top = queue.poll();
            Pair pair = top.pair;
            Long current = counts.get(pair);
            if (current == null || current != top.count) continue;
            if (current < 2) break;   // merging pairs seen once only memorises words
            int a = pair.a, b = pair.b;
            String joined = names.get(a) + names.get(b);
            int id = ids.computeIfAbsent(joined, s -> { names.add(s); return names.size() - 1; });
            merges.add(new String[] {names.get(a), names.get(b)});
            var changed = new java.util.HashSet<Pair>();
            for (int i : new ArrayList<>(where.getOrDefault(pair, Set.of()))) {
                addPairs(words[i], i, freq[i], -1, counts, where);
                words[i] = merge(words[i], a, b, id);
                addPairs(words[i], i, freq[i], 1, counts, where);
                for (int k = 0; k + 1 < words[i].length; k++) changed.add(new Pair(words[i][k], words[i][k + 1]));
            }
            counts.remove(pair);
            for (Pair p : changed) {
                Long c = counts.get(p);
                if (c != null && c > 0) queue.add(new Queued(c, p));
            }
        }
        return new Bpe(merges);
    }

    /** Two adjacent symbols, by id. */
    private record Pair(int a, int b) {
        @Override
        public int hashCode() {
            return a * 0x9E3779B1 + b;
        }
    }

    /** A pair and its count when queued. */
    private record Queued(long count, Pair pair) {}

    private static void addPairs(int[] word, int index, int freq, int sign, Map<Pair, Long> counts, Map<Pair, Set<Integer>> where) {
        for (int k = 0; k + 1 < word.length; k++) {
            Pair p = new Pair(word[k], word[k + 1]);
            long c = counts.getOrDefault(p, 0L) + (long) sign * freq;
            if (c <= 0) counts.remove(p);
            else counts.put(p, c);
            if (sign > 0) where.computeIfAbsent(p, x -> new HashSet<>()).add(index);
        }
    }

    private static int[] merge(int[] word, int a, int b, int id) {
        int[] out = new int[word.length];
        int m = 0;
        for (int k = 0; k < word.length; k++) {
            if (k + 1 < word.length && word[k] == a && word[k + 1] == b) {
                out[m++] = id;
                k++;
            } else {
                out[m++] = word[k];
            }
        }
        return java.util.Arrays.copyOf(out, m);
    }

    /** A word's characters (code points), the last marked as the end of the word. */
    private static List<String> characters(String word) {
        var chars = new ArrayList<String>();
        word.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
        chars.set(chars.size() - 1, chars.get(chars.size() - 1) + END);
        return chars;
    }

    /** The subwords of a line: each word split by the merges, all but a word's last piece ending in {@code @@}. */
    public List<String> split(String line) {
        var out = new ArrayList<String>();
        for (String w : line.trim().split("\\s+")) if (!w.isEmpty()) out.addAll(cache.computeIfAbsent(w, this::word));
        return out;
    }

    private List<String> word(String word) {
        List<String> symbols = characters(word);
        while (symbols.size() > 1) {
            int best = -1, bestRank = Integer.MAX_VALUE;
            for (int k = 0; k + 1 < symbols.size(); k++) {
                Integer r = ranks.get(symbols.get(k) + ' ' + symbols.get(k + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    best = k;
                }
            }
            if (best < 0) break;
            String a = symbols.get(best), b = symbols.get(best + 1);
            var next = new ArrayList<String>(symbols.size());
            for (int k = 0; k < symbols.size(); k++) {
                if (k + 1 < symbols.size() && symbols.get(k).equals(a) && symbols.get(k + 1).equals(b)) {
                    next.add(a + b);
                    k++;
                } else {
                    next.add(symbols.get(k));
                }
            }
            symbols = next;
        }
        var pieces = new ArrayList<String>(symbols.size());
        for (int k = 0; k < symbols.size(); k++) {
            String s = symbols.get(k);
            pieces.add(k + 1 < symbols.size() ? s + CONTINUED : s.substring(0, s.length() - END.length()));
        }
        return pieces;
    }

    /** The text of subwords: a piece ending in {@code @@} joins the next; others are followed by a space. */
    public static String join(List<String> pieces) {
        var sb = new StringBuilder();
        for (String p : pieces) {
            if (p.endsWith(CONTINUED)) {
                sb.append(p, 0, p.length() - CONTINUED.length());
            } else {
                sb.append(p).append(' ');
            }
        }
        return sb.toString().strip();
    }

    /** The merges in the order learned, "a b" each (a symbol of a word's end carries {@code </w>}). */
    public List<String> merges() {
        return merges.stream().map(m -> m[0] + ' ' + m[1]).toList();
    }

    public int size() {
        return merges.size();
    }
}
