package dev.recur.task.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exact-match chunk scores over a corpus, counted as conlleval counts them: a predicted chunk is correct when a gold
 * chunk starts at the same token with the same type and both end at the same token.
 * <pre>
 * precision = correct / predicted        (0 when nothing is predicted)
 * recall    = correct / gold             (0 when there is no gold chunk)
 * F1        = 2 · precision · recall / (precision + recall)    (0 when both are 0)
 * </pre>
 * Chunks start and end by conlleval's rules ({@link Chunks}), so BIO, IOB and BIOES tags need no conversion; the
 * counting is the script's own loop over the corpus, sentences separated as by its blank lines. The same numbers, per
 * type too, as conlleval's "found", "phrases" and "correct", as fractions rather than percentages.
 * <pre>
 * var s = SpanScores.of(List.of(List.of("B-PER", "I-PER", "O", "B-LOC")),     // gold
 *                       List.of(List.of("B-PER", "I-PER", "O", "B-ORG")));    // predicted
 * s.total()               // gold 2, predicted 2, correct 1: precision 0.5, recall 0.5, F1 0.5
 * s.byType().get("LOC")   // gold 1, predicted 0, correct 0
 * </pre>
 */
public final class SpanScores {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Counts total;
    private final Map<String, Counts> byType;

    /**
     * Chunk counts and the scores that follow from them.
     *
     * @param gold      chunks in the gold tags (conlleval's "phrases")
     * @param predicted chunks in the predicted tags ("found")
     * @param correct   predicted chunks that match a gold chunk exactly ("correct")
     */
    public record Counts(long gold, long predicted, long correct) {
        public Counts {
            if (gold < 0 || predicted < 0 || correct < 0)
                throw new IllegalArgumentException("chunk counts cannot be negative, got gold " + gold + ", predicted " + predicted
                        + ", correct " + correct);
        }

        /** correct / predicted, 0 when nothing is predicted. */
        public double precision() {
            return predicted == 0 ? 0 : (double) correct / predicted;
        }

        /** correct / gold, 0 when there is no gold chunk. */
        public double recall() {
            return gold == 0 ? 0 : (double) correct / gold;
        }

        /** The harmonic mean of precision and recall, 0 when both are 0. */
        public double f1() {
            double p = precision(), r = recall();
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }
    }

    private SpanScores(Counts total, Map<String, Counts> byType) {
        this.total = total;
        this.byType = Collections.unmodifiableMap(byType);
    }

    /**
     * Scores predicted against gold tags, sentence by sentence.
     *
     * @throws IllegalArgumentException when the corpora differ in sentences or a sentence in tokens
     */
    public static SpanScores of(List<? extends List<String>> gold, List<? extends List<String>> predicted) {
        Sentences.requireAligned("gold tags", gold, "predicted tags", predicted);
        var counter = new Counter();
        for (int s = 0; s < gold.size(); s++) {
            List<String> g = gold.get(s), p = predicted.get(s);
            for (int t = 0; t < g.size(); t++) counter.step(g.get(t), p.get(t));
            counter.step("O", "O");   // conlleval's sentence boundary: both sides outside any chunk
        }
        return counter.finish();
    }

    /** Counts over every type. */
    public Counts total() {
        return total;
    }

    /** Counts per chunk type, types in alphabetical order as conlleval prints them. */
    public Map<String, Counts> byType() {
        return byType;
    }

    public double precision() {
        return total.precision();
    }

    public double recall() {
        return total.recall();
    }

    public double f1() {
        return total.f1();
    }

    /** {@code {"precision": 0.5, "recall": 0.5, "f1": 0.5}}. */
    public ObjectNode toJson() {
        return JSON.createObjectNode().put("precision", precision()).put("recall", recall()).put("f1", f1());
    }

    /** "precision 0.5000, recall 0.5000, F1 0.5000 (2 gold, 2 predicted, 1 correct)". */
    @Override
    public String toString() {
        return String.format("precision %.4f, recall %.4f, F1 %.4f (%d gold, %d predicted, %d correct)",
                precision(), recall(), f1(), total.gold(), total.predicted(), total.correct());
    }

    /** conlleval's main loop: one step per token pair, the previous tags remembered. */
    private static final class Counter {
        private final Map<String, long[]> types = new TreeMap<>();   // type → {gold, predicted, correct}
        private String lastGold = "O", lastGoldType = "", lastPredicted = "O", lastPredictedType = "";
        private boolean inCorrect;   // the chunks being read on both sides match so far

        void step(String goldTag, String predictedTag) {
            String g = Chunks.prefix(goldTag), gType = Chunks.type(goldTag);
            String p = Chunks.prefix(predictedTag), pType = Chunks.type(predictedTag);
            boolean goldEnds = Chunks.end(lastGold, g, lastGoldType, gType);
            boolean predictedEnds = Chunks.end(lastPredicted, p, lastPredictedType, pType);
            boolean goldStarts = Chunks.start(lastGold, g, lastGoldType, gType);
            boolean predictedStarts = Chunks.start(lastPredicted, p, lastPredictedType, pType);
            // A matching pair of chunks ends together with the same type: one correct; a mismatch anywhere spoils it.
            if (inCorrect) {
                if (goldEnds && predictedEnds && lastPredictedType.equals(lastGoldType)) {
                    inCorrect = false;
                    count(lastGoldType)[2]++;
                } else if (goldEnds != predictedEnds || !pType.equals(gType)) {
                    inCorrect = false;
                }
            }
            if (goldStarts && predictedStarts && pType.equals(gType)) inCorrect = true;
            if (goldStarts) count(gType)[0]++;
            if (predictedStarts) count(pType)[1]++;
            lastGold = g;
            lastGoldType = gType;
            lastPredicted = p;
            lastPredictedType = pType;
        }

        SpanScores finish() {
            if (inCorrect) count(lastGoldType)[2]++;   // the corpus ended inside a matching pair
            var byType = new TreeMap<String, Counts>();
            long gold = 0, predicted = 0, correct = 0;
            for (var e : types.entrySet()) {
                long[] c = e.getValue();
                byType.put(e.getKey(), new Counts(c[0], c[1], c[2]));
                gold += c[0];
                predicted += c[1];
                correct += c[2];
            }
            return new SpanScores(new Counts(gold, predicted, correct), byType);
        }

        private long[] count(String type) {
            return types.computeIfAbsent(type, k -> new long[3]);
        }
    }
}
