package dev.recur.task.score;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus chrF as sacreBLEU 2.x computes it with its defaults: character n-grams of order 1 to 6, no word n-grams,
 * β = 2, whitespace removed, case-sensitive. Per order n, over the corpus, with matches clipped by the reference counts:
 * <pre>
 * P_n = matches_n / hypothesis n-grams        R_n = matches_n / reference n-grams
 * P, R = the means of P_n and R_n over the orders where both counts are positive
 * chrF = 100 · (1 + β²) · P · R / (β² · P + R)      0 when P + R = 0
 * </pre>
 * Counts are summed over sentences; with several references a sentence contributes the counts of the reference with
 * the best chrF of that sentence alone, the first on a tie. A hypothesis n-gram counts only where the reference has
 * n-grams of that order.
 * <pre>
 * var c = Chrf.corpus(List.of("the cat"), List.of(List.of("the cat")));
 * c.score()         // 100.0
 * </pre>
 *
 * @param score     chrF on 0–100
 * @param precision P on 0–100
 * @param recall    R on 0–100
 */
public record Chrf(double score, double precision, double recall) {
    static final int ORDER = 6;
    static final int BETA = 2;

    /**
     * chrF of {@code hypotheses} against {@code references}, where {@code references.get(i)} holds sentence i's
     * references, one or more.
     *
     * @throws IllegalArgumentException when the lists differ in length or a sentence has no reference
     */
    public static Chrf corpus(List<String> hypotheses, List<List<String>> references) {
        Sentences.requireReferences(hypotheses.size(), references);
        long[] corpus = new long[3 * ORDER];   // per order: hypothesis n-grams, reference n-grams, matches
        for (int s = 0; s < hypotheses.size(); s++) {
            List<Map<String, Integer>> hyp = ngrams(hypotheses.get(s));
            long[] best = null;
            double bestScore = -1;
            for (String reference : references.get(s)) {
                long[] stats = statistics(hyp, ngrams(reference));
                double f = of(stats).score;
                if (f > bestScore) {
                    bestScore = f;
                    best = stats;
                }
            }
            for (int i = 0; i < corpus.length; i++) corpus[i] += best[i];
        }
        return of(corpus);
    }

    private static long[] statistics(List<Map<String, Integer>> hyp, List<Map<String, Integer>> ref) {
        long[] stats = new long[3 * ORDER];
        for (int n = 0; n < ORDER; n++) {
            long hypCount = 0, refCount = 0, match = 0;
            for (var e : hyp.get(n).entrySet()) {
                hypCount += e.getValue();
                match += Math.min(e.getValue(), ref.get(n).getOrDefault(e.getKey(), 0));
            }
            for (int k : ref.get(n).values()) refCount += k;
            stats[3 * n] = ref.get(n).isEmpty() ? 0 : hypCount;   // sacreBLEU counts no hypothesis n-grams without reference ones
            stats[3 * n + 1] = refCount;
            stats[3 * n + 2] = match;
        }
        return stats;
    }

    /** sacreBLEU's {@code _compute_f_score} without eps smoothing: P and R averaged over the effective orders. */
    private static Chrf of(long[] stats) {
        double p = 0, r = 0;
        int effective = 0;
        for (int n = 0; n < ORDER; n++) {
            long hyp = stats[3 * n], ref = stats[3 * n + 1], match = stats[3 * n + 2];
            if (hyp > 0 && ref > 0) {
                p += (double) match / hyp;
                r += (double) match / ref;
                effective++;
            }
        }
        if (effective > 0) {
            p /= effective;
            r /= effective;
        }
        double b2 = BETA * BETA;
        double f = p + r == 0 ? 0 : 100 * ((1 + b2) * p * r / (b2 * p + r));   // sacreBLEU's order of operations
        return new Chrf(f, 100 * p, 100 * r);
    }

    /** The character n-grams of order 1..6 of {@code line} with whitespace removed, counted; code points, not chars. */
    private static List<Map<String, Integer>> ngrams(String line) {
        int[] cps = line.codePoints().filter(cp -> !Bleu.isSpace(cp)).toArray();
        var byOrder = new ArrayList<Map<String, Integer>>();
        for (int n = 1; n <= ORDER; n++) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i + n <= cps.length; i++) counts.merge(new String(cps, i, n), 1, Integer::sum);
            byOrder.add(counts);
        }
        return byOrder;
    }

    /** "chrF2 55.51 (P 60.12, R 54.48)". */
    @Override
    public String toString() {
        return String.format("chrF2 %.2f (P %.2f, R %.2f)", score, precision, recall);
    }
}
