package dev.recur.task.score;

import java.util.List;

/**
 * Levenshtein distance between token sequences, and over a corpus the token error rate and sequence accuracy:
 * <pre>
 * d(h, r)            = the fewest insertions, deletions and substitutions of one token that turn h into r
 * token error rate   = Σ d(h_i, r_i*) / Σ |r_i*|      r_i* the reference of sentence i with the fewest edits,
 *                                                      the shorter on a tie, then the first
 * sequence accuracy  = (hypotheses equal to one of their references) / N
 * </pre>
 * <pre>
 * EditDistance.between(List.of("a", "b", "c"), List.of("a", "c", "d"))    // 2: delete b, insert d
 * var e = EditDistance.corpus(List.of(List.of("a", "b")),
 *                             List.of(List.of(List.of("a", "b", "c"), List.of("x", "y"))));
 * e.edits()                // 1, against [a, b, c]
 * e.tokenErrorRate()       // 1 / 3
 * e.sequenceAccuracy()     // 0.0
 * </pre>
 *
 * @param edits           Σ d(h_i, r_i*)
 * @param referenceTokens Σ |r_i*|
 * @param exact           hypotheses equal to one of their references
 * @param sequences       N, the hypotheses scored
 */
public record EditDistance(long edits, long referenceTokens, long exact, long sequences) {

    /**
     * The corpus counts of {@code hypotheses} against {@code references}, where {@code references.get(i)} holds
     * sentence i's references, one or more.
     *
     * @throws IllegalArgumentException when the lists differ in length or a sentence has no reference
     */
    public static <T> EditDistance corpus(List<? extends List<T>> hypotheses, List<? extends List<? extends List<T>>> references) {
        Sentences.requireReferences(hypotheses.size(), references);
        long edits = 0, tokens = 0, exact = 0;
        for (int s = 0; s < hypotheses.size(); s++) {
            List<T> hyp = hypotheses.get(s);
            int bestEdits = -1, bestLength = 0;
            for (List<T> ref : references.get(s)) {
                int d = between(hyp, ref);
                if (bestEdits < 0 || d < bestEdits || d == bestEdits && ref.size() < bestLength) {
                    bestEdits = d;
                    bestLength = ref.size();
                }
            }
            edits += bestEdits;
            tokens += bestLength;
            if (bestEdits == 0) exact++;
        }
        return new EditDistance(edits, tokens, exact, hypotheses.size());
    }

    /** Levenshtein distance between {@code a} and {@code b}, tokens compared with {@code equals}. */
    public static <T> int between(List<T> a, List<T> b) {
        // One row of the (|a|+1) × (|b|+1) table at a time: row[j] = d(a[0, i), b[0, j)).
        int[] row = new int[b.size() + 1];
        for (int j = 0; j <= b.size(); j++) row[j] = j;
        for (int i = 1; i <= a.size(); i++) {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.size(); j++) {
                int above = row[j];
                int substitute = diagonal + (a.get(i - 1).equals(b.get(j - 1)) ? 0 : 1);
                row[j] = Math.min(substitute, Math.min(above, row[j - 1]) + 1);
                diagonal = above;
            }
        }
        return row[b.size()];
    }

    /** edits / reference tokens; 0 when both are 0, infinite when only the references are empty. */
    public double tokenErrorRate() {
        return referenceTokens == 0 ? (edits == 0 ? 0 : Double.POSITIVE_INFINITY) : (double) edits / referenceTokens;
    }

    /** The fraction of hypotheses equal to one of their references, 0 for an empty corpus. */
    public double sequenceAccuracy() {
        return sequences == 0 ? 0 : (double) exact / sequences;
    }

    /** "token error rate 0.2500 (3 edits, 12 reference tokens), sequence accuracy 0.5000 (2 of 4)". */
    @Override
    public String toString() {
        return String.format("token error rate %.4f (%d edits, %d reference tokens), sequence accuracy %.4f (%d of %d)",
                tokenErrorRate(), edits, referenceTokens, sequenceAccuracy(), exact, sequences);
    }
}
