package dev.recur.task.score;

import java.util.List;

/** Checks that two corpora line up: as many sentences, and as many tokens in each pair of sentences. */
final class Sentences {
    private Sentences() {}

    /**
     * Throws unless {@code a} and {@code b} have as many sentences and each pair as many items.
     * <pre>
     * Sentences.requireAligned("gold tags", gold, "predicted tags", predicted)
     * // sentence 3 (from 0): 5 gold tags but 4 predicted tags
     * </pre>
     */
    static void requireAligned(String aName, List<? extends List<?>> a, String bName, List<? extends List<?>> b) {
        if (a.size() != b.size())
            throw new IllegalArgumentException(a.size() + " sentences of " + aName + " but " + b.size() + " of " + bName);
        for (int s = 0; s < a.size(); s++) {
            if (a.get(s).size() != b.get(s).size())
                throw new IllegalArgumentException("sentence " + s + " (from 0): " + a.get(s).size() + " " + aName + " but "
                        + b.get(s).size() + " " + bName);
        }
    }
}
