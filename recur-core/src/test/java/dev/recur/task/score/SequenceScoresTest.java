package dev.recur.task.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BLEU and chrF against sacreBLEU, edit distances by hand. The sacreBLEU numbers were printed by
 * tools/reference/seq2seq_metrics_reference.py, which runs sacreBLEU 2.6.0's own code (commit f615c72) with its
 * defaults on the fixtures below; its output is quoted above each test.
 */
class SequenceScoresTest {
    /** Six sentences, two with two references: punctuation, quotes and an escaped quote, 3.5 and 1,000, a dash. */
    static final List<String> HYPOTHESES = List.of(
            "The cat sat on the mat.",
            "He paid $1,000 for 3.5 kg of \"organic\" coffee.",
            "Wait -- is it 5-10 minutes (or more)?",
            "Birds fly south quickly.",                           // no 4-gram (nor 2-gram) match
            "The results, e.g. 2.5% and 7%, were clear.",
            "I can't believe it's 10:30 already");
    static final List<List<String>> REFERENCES = List.of(
            List.of("The cat sat on the mat."),
            List.of("He spent 1,000 dollars on 3.5 kg of organic coffee.",
                    "He paid $1,000 for 3.5 kilograms of &quot;organic&quot; coffee."),
            List.of("Wait, is it 5-10 minutes or more?"),
            List.of("In winter, the geese migrate towards warmer lands."),
            List.of("The results (e.g. 2.5% and 7%) were clear!", "Results were clear: 2.5% and 7%."),
            List.of("I cannot believe it's already 10:30."));

    /** No 4-gram matches in the corpus: 'exp' smoothing gives p_4 = 100 / (2 · 1). */
    static final List<String> NO_FOUR_GRAM_HYPOTHESES = List.of("the cat sat down", "a dog ran");
    static final List<List<String>> NO_FOUR_GRAM_REFERENCES = List.of(List.of("the cat lay down"), List.of("a dog ran away"));

    /**
     * <pre>
     * fixture: BLEU score 55.412164408626346
     *   precisions [82.25806451612904, 66.07142857142857, 52.0, 43.18181818181818]
     *   counts [51, 37, 26, 19] totals [62, 56, 50, 44]
     *   bp 0.9375209928337671 ratio 0.9393939393939394 hyp_len 62 ref_len 66
     * </pre>
     */
    @Test
    void bleuMatchesSacreBleuOnTheFixture() {
        var b = Bleu.corpus(HYPOTHESES, REFERENCES);
        assertThat(b.score()).isCloseTo(55.412164408626346, within(1e-4));
        assertCloseTo(b.precisions(), 82.25806451612904, 66.07142857142857, 52.0, 43.18181818181818);
        assertThat(b.matches()).containsExactly(51L, 37L, 26L, 19L);
        assertThat(b.totals()).containsExactly(62L, 56L, 50L, 44L);
        assertThat(b.brevityPenalty()).isCloseTo(0.9375209928337671, within(1e-4));
        assertThat(b.ratio()).isCloseTo(0.9393939393939394, within(1e-4));
        assertThat(b.hypothesisTokens()).isEqualTo(62);
        assertThat(b.referenceTokens()).isEqualTo(66);
    }

    /**
     * <pre>
     * no four-grams: BLEU score 46.905226098954216
     *   precisions [85.71428571428571, 60.0, 33.333333333333336, 50.0]
     *   counts [6, 3, 1, 0] totals [7, 5, 3, 1]
     *   bp 0.8668778997501817 ratio 0.875 hyp_len 7 ref_len 8
     * </pre>
     */
    @Test
    void bleuSmoothsAnOrderWithoutMatchesAsSacreBleusExp() {
        var b = Bleu.corpus(NO_FOUR_GRAM_HYPOTHESES, NO_FOUR_GRAM_REFERENCES);
        assertThat(b.score()).isCloseTo(46.905226098954216, within(1e-4));
        assertCloseTo(b.precisions(), 85.71428571428571, 60.0, 33.333333333333336, 50.0);
        assertThat(b.matches()).containsExactly(6L, 3L, 1L, 0L);
        assertThat(b.brevityPenalty()).isCloseTo(0.8668778997501817, within(1e-4));
    }

    /**
     * The hypothesis has 3 tokens, the references 2 and 4: r is the shorter. With no 4-gram at all the score is 0.
     * <pre>
     * tie: BLEU score 0.0
     *   precisions [100.0, 100.0, 100.0, 0.0]
     *   counts [3, 2, 1, 0] totals [3, 2, 1, 0]
     *   bp 1.0 ratio 1.5 hyp_len 3 ref_len 2
     * </pre>
     */
    @Test
    void bleuTakesTheClosestReferenceLengthAndTheShorterOnATie() {
        var b = Bleu.corpus(List.of("a b c"), List.of(List.of("a b", "a b c d")));
        assertThat(b.referenceTokens()).isEqualTo(2);
        assertThat(b.ratio()).isEqualTo(1.5);
        assertThat(b.brevityPenalty()).isEqualTo(1.0);
        assertThat(b.precisions()).containsExactly(100.0, 100.0, 100.0, 0.0);
        assertThat(b.score()).isEqualTo(0.0);
        assertThat(Bleu.corpus(List.of("a b c"), List.of(List.of("a b c d e f", "a"))).referenceTokens()).isEqualTo(1);   // 2 from 1, 3 from 6
        assertThat(Bleu.corpus(List.of("a b c"), List.of(List.of("a b c d e", "a"))).referenceTokens()).isEqualTo(1);     // 2 from both
        assertThat(Bleu.corpus(List.of("a b c"), List.of(List.of("a", "a b c d e f g", "a b c d"))).referenceTokens()).isEqualTo(4);
    }

    @Test
    void bleuClipsByTheMostOccurrencesInOneReferenceAndIsCaseSensitive() {
        // "the" occurs once in the first reference and twice in the second: 2 of 3 match, not 3.
        var b = Bleu.corpus(List.of("the the the"), List.of(List.of("the cat", "the the")));
        assertThat(b.matches().get(0)).isEqualTo(2);
        assertThat(b.matches().get(1)).isEqualTo(1);
        assertThat(Bleu.corpus(List.of("The Cat"), List.of(List.of("the cat"))).matches().get(0)).isZero();
    }

    /**
     * <pre>
     * 13a 'He said &amp;quot;3.5 &amp;amp; 1,000&amp;quot; &amp;lt;b&amp;gt;' -> 'He said " 3.5 &amp; 1,000 " &lt; b &gt;'
     * 13a "The end. Really, it's 5-10 x-ray items: $5 (approx.)!" -> "The end . Really , it's 5 - 10 x-ray items : $ 5 ( approx . ) !"
     * 13a 'a.b 1.a a,1 1,a 3.5. ,5 end,' -> 'a . b 1 . a a , 1 1 , a 3.5 . , 5 end ,'
     * 13a '&lt;skipped&gt;line-\nbreak\nnext &amp;amp;quot; &amp;apos;' -> 'linebreak next &amp; quot ; &amp; apos ;'
     * 13a '  many   spaces\there  ' -> 'many spaces here'
     * </pre>
     */
    @Test
    void tokenizer13aMatchesSacreBleu() {
        assertThat(String.join(" ", Bleu.tokenize("He said &quot;3.5 &amp; 1,000&quot; &lt;b&gt;")))
                .isEqualTo("He said \" 3.5 & 1,000 \" < b >");
        assertThat(String.join(" ", Bleu.tokenize("The end. Really, it's 5-10 x-ray items: $5 (approx.)!")))
                .isEqualTo("The end . Really , it's 5 - 10 x-ray items : $ 5 ( approx . ) !");
        assertThat(String.join(" ", Bleu.tokenize("a.b 1.a a,1 1,a 3.5. ,5 end,")))
                .isEqualTo("a . b 1 . a a , 1 1 , a 3.5 . , 5 end ,");
        assertThat(String.join(" ", Bleu.tokenize("<skipped>line-\nbreak\nnext &amp;quot; &apos;")))
                .isEqualTo("linebreak next & quot ; & apos ;");
        assertThat(Bleu.tokenize("  many   spaces\there  ")).containsExactly("many", "spaces", "here");
        assertThat(Bleu.tokenize("")).isEmpty();
    }

    /**
     * <pre>
     * fixture: chrF score 55.5065179077704
     *   chrF P 66.21796943486827 R 53.349074721386806
     * fixture, reference 0 only: chrF 53.81573003810583
     * fixture, reference 1 only: chrF 53.088779191710486
     * </pre>
     * Each sentence with two references uses the better one, so the corpus scores above either reference alone.
     */
    @Test
    void chrfMatchesSacreBleuOnTheFixture() {
        var c = Chrf.corpus(HYPOTHESES, REFERENCES);
        assertThat(c.score()).isCloseTo(55.5065179077704, within(1e-4));
        assertThat(c.precision()).isCloseTo(66.21796943486827, within(1e-4));
        assertThat(c.recall()).isCloseTo(53.349074721386806, within(1e-4));
        assertThat(Chrf.corpus(HYPOTHESES, onlyReference(0)).score()).isCloseTo(53.81573003810583, within(1e-4));
        assertThat(Chrf.corpus(HYPOTHESES, onlyReference(1)).score()).isCloseTo(53.088779191710486, within(1e-4));
    }

    private static List<List<String>> onlyReference(int k) {
        return REFERENCES.stream().map(refs -> List.of(refs.get(Math.min(k, refs.size() - 1)))).toList();
    }

    /**
     * <pre>
     * no four-grams: chrF score 50.52257604470962
     *   chrF P 60.88955026455026 R 48.45989658489659
     * tie: chrF score 87.49999999999999
     *   chrF P 58.33333333333333 R 100.0
     * short reference: chrF score 96.85039370078742
     *   chrF P 86.01398601398601 R 100.0
     * short reference: BLEU score 0.0
     *   precisions [50.0, 0.0, 0.0, 0.0]
     * </pre>
     * "ab" has no n-grams above order 2, so "abcdefg" adds none of its own to those orders: they come from the second
     * sentence alone. BLEU has no 2-grams at all and is 0, though a 1-gram matches.
     */
    @Test
    void chrfAndBleuMatchSacreBleuOnShortSentences() {
        var c = Chrf.corpus(NO_FOUR_GRAM_HYPOTHESES, NO_FOUR_GRAM_REFERENCES);
        assertThat(c.score()).isCloseTo(50.52257604470962, within(1e-4));
        assertThat(c.precision()).isCloseTo(60.88955026455026, within(1e-4));
        assertThat(c.recall()).isCloseTo(48.45989658489659, within(1e-4));
        var tie = Chrf.corpus(List.of("a b c"), List.of(List.of("a b", "a b c d")));
        assertThat(tie.score()).isCloseTo(87.49999999999999, within(1e-4));
        assertThat(tie.recall()).isCloseTo(100.0, within(1e-4));
        var shortReference = Chrf.corpus(List.of("abcdefg", "xyz123"), List.of(List.of("ab"), List.of("xyz123")));
        assertThat(shortReference.score()).isCloseTo(96.85039370078742, within(1e-4));
        assertThat(shortReference.precision()).isCloseTo(86.01398601398601, within(1e-4));
        var bleu = Bleu.corpus(List.of("abcdefg", "xyz123"), List.of(List.of("ab"), List.of("xyz123")));
        assertCloseTo(bleu.precisions(), 50.0, 0.0, 0.0, 0.0);
        assertThat(bleu.score()).isEqualTo(0.0);
    }

    @Test
    void chrfIgnoresWhitespaceButNotCase() {
        assertThat(Chrf.corpus(List.of("thecat"), List.of(List.of(" the\tcat "))).score()).isEqualTo(100.0);
        assertThat(Chrf.corpus(List.of("THE"), List.of(List.of("the"))).score()).isEqualTo(0.0);
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertThat(EditDistance.between(chars("kitten"), chars("sitting"))).isEqualTo(3);   // k→s, e→i, +g
        assertThat(EditDistance.between(chars("flaw"), chars("lawn"))).isEqualTo(2);        // −f, +n
        assertThat(EditDistance.between(List.of("a", "b", "c"), List.of("a", "c", "d"))).isEqualTo(2);
        assertThat(EditDistance.between(List.of(), List.of("a", "b"))).isEqualTo(2);
        assertThat(EditDistance.between(List.of("a", "b"), List.of())).isEqualTo(2);
        assertThat(EditDistance.between(chars("abc"), chars("abc"))).isZero();
        assertThat(EditDistance.between(chars("ab"), chars("ba"))).isEqualTo(2);             // no transpositions
    }

    @Test
    void tokenErrorRateTakesTheReferenceWithFewestEditsAndTheShorterOnATie() {
        var hypotheses = List.of(List.of("a", "b", "c", "d"), List.of("a", "b"), List.of("x", "y"));
        var references = List.of(
                List.of(List.of("a", "b", "c", "d", "e", "f", "g"), List.of("a", "x", "c", "d")),   // 3 edits; 1 edit, 4 tokens
                List.of(List.of("a", "b", "c"), List.of("a")),                                      // 1 edit each; 1 token
                List.of(List.of("p", "q", "r"), List.of("x", "y")));                                // exact; 2 tokens
        var e = EditDistance.corpus(hypotheses, references);
        assertThat(e.edits()).isEqualTo(2);
        assertThat(e.referenceTokens()).isEqualTo(4 + 1 + 2);
        assertThat(e.tokenErrorRate()).isEqualTo(2.0 / 7);
        assertThat(e.exact()).isEqualTo(1);
        assertThat(e.sequenceAccuracy()).isEqualTo(1.0 / 3);
    }

    @Test
    void scoresRejectMisalignedCorpora() {
        assertThatThrownBy(() -> Bleu.corpus(List.of("a", "b"), List.of(List.of("a"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("2 hypotheses but 1 lists of references");
        assertThatThrownBy(() -> Chrf.corpus(List.of("a"), List.of(List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sentence 0 (from 0) has no reference");
    }

    private static void assertCloseTo(List<Double> actual, double... expected) {
        assertThat(actual).hasSize(expected.length);
        for (int n = 0; n < expected.length; n++) assertThat(actual.get(n)).as("p_%d", n + 1).isCloseTo(expected[n], within(1e-4));
    }

    private static List<String> chars(String s) {
        return s.chars().mapToObj(c -> String.valueOf((char) c)).toList();
    }
}
