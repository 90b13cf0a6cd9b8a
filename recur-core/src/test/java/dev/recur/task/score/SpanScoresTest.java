package dev.recur.task.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recur.data.Conll;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Chunk scores against the numbers conlleval prints. The fixtures are conlleval input (token, gold tag, predicted tag;
 * a blank line between sentences); the expected numbers were printed by conlleval, Tjong Kim Sang's Perl script,
 * version 2004-01-26, run on exactly these lines, and by conlleval.py (Sampo Pyysalo's Python port with IOBES support)
 * where the tags use E- and S-.
 */
class SpanScoresTest {

    /**
     * IOB2 gold against predictions in IOB2 and IOB1 (I- after O or after another type starts a chunk), a type with a
     * hyphen, a chunk that runs to the end of its sentence. conlleval (Perl, 2004-01-26) and conlleval.py both print:
     * <pre>
     * processed 23 tokens with 11 phrases; found: 12 phrases; correct: 7.
     * accuracy:  52.17%; precision:  58.33%; recall:  63.64%; FB1:  60.87
     *            AM-TMP: precision: 100.00%; recall: 100.00%; FB1: 100.00  1
     *               LOC: precision:   0.00%; recall:   0.00%; FB1:   0.00  0
     *              MISC: precision:   0.00%; recall:   0.00%; FB1:   0.00  1
     *                NP: precision:  50.00%; recall:  60.00%; FB1:  54.55  6
     *               ORG: precision:   0.00%; recall:   0.00%; FB1:   0.00  1
     *               PER: precision: 100.00%; recall: 100.00%; FB1: 100.00  1
     *                PP: precision: 100.00%; recall: 100.00%; FB1: 100.00  1
     *                VP: precision: 100.00%; recall: 100.00%; FB1: 100.00  1
     * </pre>
     * Counts follow from the percentages and the last column (found): NP 50% of 6 found are correct, 3, and they are 60%
     * of the gold NPs, 5.
     */
    static final String IOB = """
            w1 B-PER B-PER
            w2 I-PER I-PER
            w3 O O
            w4 B-LOC B-ORG
            w5 I-LOC I-ORG
            w6 O I-MISC
            w7 B-MISC O
            w8 I-MISC O

            x1 B-NP I-NP
            x2 I-NP I-NP
            x3 B-NP B-NP
            x4 B-VP I-VP
            x5 B-AM-TMP B-AM-TMP
            x6 I-AM-TMP I-AM-TMP
            x7 I-NP B-NP
            x8 O O
            x9 B-PP I-PP

            y1 I-NP I-NP
            y2 I-NP B-NP
            y3 O O
            y4 B-NP B-NP
            y5 I-NP O

            z1 O O
            """;

    /**
     * BIOES; the first sentence is conlleval.py's own test, tests/e-b-sequence.txt (an E- followed by a B- of the same
     * type). conlleval.py prints:
     * <pre>
     * processed 11 tokens with 6 phrases; found: 5 phrases; correct: 2.
     * accuracy:  54.55%; precision:  40.00%; recall:  33.33%; FB1:  36.36
     *               LOC: precision:  50.00%; recall: 100.00%; FB1:  66.67  2
     *              MISC: precision:   0.00%; recall:   0.00%; FB1:   0.00  1
     *               ORG: precision:   0.00%; recall:   0.00%; FB1:   0.00  0
     *               PER: precision:  50.00%; recall:  50.00%; FB1:  50.00  2
     * </pre>
     * The Perl script, which has no rule for S- and lets E-X B-X run on as one chunk, prints 4 phrases, 3 found, 1
     * correct on the same lines: the reason for the extension.
     */
    static final String BIOES = """
            North B-MISC B-MISC
            African E-MISC I-MISC
            Grand B-MISC I-MISC
            Prix E-MISC E-MISC

            a S-PER S-PER
            b S-PER B-PER
            c O E-PER
            d B-LOC B-LOC
            e I-LOC I-LOC
            f E-LOC E-LOC
            g S-ORG S-LOC
            """;

    static List<List<String>> gold(String conll) {
        return Conll.parse(conll, 0, 1).stream().map(Conll.Sentence::tags).toList();
    }

    static List<List<String>> predicted(String conll) {
        return Conll.parse(conll, 0, 2).stream().map(Conll.Sentence::tags).toList();
    }

    @Test
    void iobFixtureGivesConllevalsNumbers() {
        var s = SpanScores.of(gold(IOB), predicted(IOB));
        assertThat(s.total()).isEqualTo(new SpanScores.Counts(11, 12, 7));
        assertThat(100 * s.precision()).isCloseTo(58.33, within(0.005));
        assertThat(100 * s.recall()).isCloseTo(63.64, within(0.005));
        assertThat(100 * s.f1()).isCloseTo(60.87, within(0.005));
        assertThat(s.byType()).containsOnlyKeys("AM-TMP", "LOC", "MISC", "NP", "ORG", "PER", "PP", "VP");
        assertThat(s.byType().keySet()).containsExactly("AM-TMP", "LOC", "MISC", "NP", "ORG", "PER", "PP", "VP");
        assertThat(s.byType().get("NP")).isEqualTo(new SpanScores.Counts(5, 6, 3));
        assertThat(100 * s.byType().get("NP").f1()).isCloseTo(54.55, within(0.005));
        assertThat(s.byType().get("LOC")).isEqualTo(new SpanScores.Counts(1, 0, 0));
        assertThat(s.byType().get("ORG")).isEqualTo(new SpanScores.Counts(0, 1, 0));
        assertThat(s.byType().get("MISC")).isEqualTo(new SpanScores.Counts(1, 1, 0));
        assertThat(s.byType().get("AM-TMP")).isEqualTo(new SpanScores.Counts(1, 1, 1));
    }

    @Test
    void bioesFixtureGivesConllevalPysNumbers() {
        var s = SpanScores.of(gold(BIOES), predicted(BIOES));
        assertThat(s.total()).isEqualTo(new SpanScores.Counts(6, 5, 2));
        assertThat(100 * s.precision()).isCloseTo(40.00, within(0.005));
        assertThat(100 * s.recall()).isCloseTo(33.33, within(0.005));
        assertThat(100 * s.f1()).isCloseTo(36.36, within(0.005));
        assertThat(s.byType().get("LOC")).isEqualTo(new SpanScores.Counts(1, 2, 1));
        assertThat(s.byType().get("MISC")).isEqualTo(new SpanScores.Counts(2, 1, 0));
        assertThat(s.byType().get("ORG")).isEqualTo(new SpanScores.Counts(1, 0, 0));
        assertThat(s.byType().get("PER")).isEqualTo(new SpanScores.Counts(2, 2, 1));
    }

    @Test
    void spansReadTheTagsAsConllevalCountsThem() {
        for (String fixture : List.of(IOB, BIOES)) {
            List<List<String>> gold = gold(fixture), predicted = predicted(fixture);
            long g = 0, p = 0, correct = 0;
            for (int i = 0; i < gold.size(); i++) {
                var goldSpans = new HashSet<>(Span.of(gold.get(i)));
                var predictedSpans = Span.of(predicted.get(i));
                g += goldSpans.size();
                p += predictedSpans.size();
                correct += predictedSpans.stream().filter(goldSpans::contains).count();
            }
            assertThat(new SpanScores.Counts(g, p, correct)).isEqualTo(SpanScores.of(gold, predicted).total());
        }
    }

    @Test
    void spansOfEachScheme() {
        assertThat(Span.of(List.of("B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-ORG")))   // BIO; a type change starts a chunk
                .containsExactly(new Span("PER", 0, 2), new Span("LOC", 3, 4), new Span("LOC", 4, 5), new Span("ORG", 5, 6));
        assertThat(Span.of(List.of("I-NP", "I-NP", "B-NP", "O", "I-VP")))                 // IOB1: I- after O starts one
                .containsExactly(new Span("NP", 0, 2), new Span("NP", 2, 3), new Span("VP", 4, 5));
        assertThat(Span.of(List.of("S-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC", "B-LOC", "E-LOC")))
                .containsExactly(new Span("PER", 0, 1), new Span("PER", 1, 2), new Span("LOC", 2, 5), new Span("LOC", 5, 7));
        assertThat(Span.of(List.of("B-AM-TMP", "I-AM-TMP"))).containsExactly(new Span("AM-TMP", 0, 2));
        assertThat(Span.of(List.of("O", "O"))).isEmpty();
        assertThat(Span.of(List.of())).isEmpty();
    }

    @Test
    void noChunksOnOneSideScoreZeroNotNaN() {
        var none = SpanScores.of(List.of(List.of("B-PER", "O")), List.of(List.of("O", "O")));
        assertThat(none.total()).isEqualTo(new SpanScores.Counts(1, 0, 0));
        assertThat(List.of(none.precision(), none.recall(), none.f1())).containsExactly(0.0, 0.0, 0.0);
        var empty = SpanScores.of(List.of(List.of("O")), List.of(List.of("O")));
        assertThat(empty.f1()).isZero();
        assertThat(empty.byType()).isEmpty();
    }

    @Test
    void perfectTaggingScoresOne() {
        var s = SpanScores.of(gold(IOB), gold(IOB));
        assertThat(s.f1()).isEqualTo(1.0);
        assertThat(s.toJson().toString()).isEqualTo("{\"precision\":1.0,\"recall\":1.0,\"f1\":1.0}");
    }

    @Test
    void misalignedCorporaAreRejected() {
        assertThatThrownBy(() -> SpanScores.of(List.of(List.of("O")), List.of()))
                .hasMessage("1 sentences of gold tags but 0 of predicted tags");
        assertThatThrownBy(() -> SpanScores.of(List.of(List.of("O"), List.of("B-X", "O")), List.of(List.of("O"), List.of("O"))))
                .hasMessage("sentence 1 (from 0): 2 gold tags but 1 predicted tags");
    }
}
