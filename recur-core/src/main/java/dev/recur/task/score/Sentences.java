package dev.recur.task.score;

import java.util.List;

/**
 * Checks that two corpora line up: as many sentences, and as many tokens in each pair of sentences; or as many
 * hypotheses as reference sets, none of them empty.
 */
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

    /**
     * Throws unless there is one list of references per hypothesis and each holds at least one.
     * <pre>
     * // sentence 2 (from 0) has no reference
     * </pre>
     */
    static void requireReferences(int hypotheses, List<? extends List<?>> references) {
        if (hypotheses != references.size())
            throw new IllegalArgumentException(hypotheses + " hypotheses but " + references.size() + " lists of references");
        for (int s = 0; s < references.size(); s++) {
            if (references.get(s).isEmpty()) throw new IllegalArgumentException("sentence " + s + " (from 0) has no reference");
        }
    }
}
