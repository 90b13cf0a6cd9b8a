package dev.recur.task.seq2seq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.Tape;
import dev.recur.data.Vocabulary;
import dev.recur.nn.Attention;
import dev.recur.nn.CellType;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SearchTest {

    /** A tiny untrained model: 3 source symbols, targets a and b besides unk, start and end. */
    static Seq2Seq tiny(long seed, Attention.Form form, CellType cell) {
        var config = new Seq2SeqConfig(6, cell, 4, 1, 8, 1, form, 8, 0f, 0f);
        var side = new Unit.Side(Unit.CHAR, null);
        var model = new Seq2Seq(config, side, new Unit.Side(Unit.WORD, null), Vocabulary.of(List.of("<unk>", "x", "y", "z")),
                Vocabulary.of(List.of("<unk>", Seq2Seq.START, Seq2Seq.END, "a", "b")), new Rng(seed));
        // Larger weights than the initialisation's, so that the distributions are far from uniform and lengths vary.
        for (var p : model.parameters()) for (int i = 0; i < p.value().size(); i++) p.value().data()[p.value().offset() + i] *= 2.5f;
        model.train(false);
        return model;
    }

    private static final List<int[]> SOURCES = List.of(new int[] {1, 2, 3}, new int[] {2}, new int[] {3, 3, 1, 2}, new int[] {1, 1});

    @Test
    void beamOneIsGreedy() {
        for (long seed = 1; seed <= 6; seed++) {
            Seq2Seq model = tiny(seed, Attention.Form.values()[(int) (seed % 3)], seed % 2 == 0 ? CellType.GRU : CellType.LSTM);
            var options = new Search.Options(1, 1, 0f, 1f, 3);
            var greedy = Search.greedy(model, SOURCES, options);
            var beam = Search.beam(model, SOURCES, options);
            for (int i = 0; i < SOURCES.size(); i++) {
                assertThat(beam.get(i).best().tokens()).as("seed %d, source %d", seed, i).containsExactly(greedy.get(i).best().tokens());
                assertThat(beam.get(i).best().logProb()).isCloseTo(greedy.get(i).best().logProb(), within(1e-5));
                assertThat(beam.get(i).best().finished()).isEqualTo(greedy.get(i).best().finished());
            }
        }
    }

    @Test
    void aWideBeamFindsTheBestOutputOfExhaustiveSearch() {
        for (float alpha : new float[] {0f, 0.6f, 2f}) {
            for (long seed = 1; seed <= 4; seed++) {
                Seq2Seq model = tiny(seed, Attention.Form.values()[(int) (seed % 3)], CellType.LSTM);
                // Outputs of at most 3 symbols over 4 (unk, start, a, b): 85 hypotheses; a beam of 100 keeps them all.
                var options = new Search.Options(100, 5, alpha, 0.01f, 2);   // at most ⌈0.01·n⌉ + 2 = 3 symbols
                var results = Search.beam(model, SOURCES, options);
                for (int i = 0; i < SOURCES.size(); i++) {
                    var all = exhaustive(model, SOURCES.get(i), 3, alpha);
                    all.sort((a, b) -> Double.compare(b.score(), a.score()));
                    var found = results.get(i).hypotheses();
                    assertThat(found).hasSize(5);
                    for (int k = 0; k < 5; k++) {
                        assertThat(found.get(k).tokens()).as("alpha %s seed %d source %d rank %d", alpha, seed, i, k).containsExactly(all.get(k).tokens());
                        assertThat(found.get(k).score()).isCloseTo(all.get(k).score(), within(1e-4));
                    }
                }
            }
        }
    }

    @Test
    void aNarrowBeamStopsOnlyWhenNoOpenHypothesisCanWin() {
        // With a beam of 3 the search may miss the best output, but what it returns is scored exactly.
        Seq2Seq model = tiny(9, Attention.Form.GENERAL, CellType.LSTM);
        var options = new Search.Options(3, 3, 0.6f, 0.01f, 2);
        for (int i = 0; i < SOURCES.size(); i++) {
            var hyps = Search.beam(model, List.of(SOURCES.get(i)), options).get(0).hypotheses();
            for (int k = 1; k < hyps.size(); k++) assertThat(hyps.get(k).score()).isLessThanOrEqualTo(hyps.get(k - 1).score());
            for (var h : hyps) {
                double lp = logProb(model, SOURCES.get(i), h.tokens(), h.finished());
                assertThat(h.logProb()).isCloseTo(lp, within(1e-4));
                int length = h.tokens().length + (h.finished() ? 1 : 0);
                assertThat(h.score()).isCloseTo(lp / Search.lengthPenalty(length, 0.6f), within(1e-4));
                assertThat(h.attention()).hasNumberOfRows(length);
                for (float[] row : h.attention()) {
                    assertThat(row).hasSize(SOURCES.get(i).length);
                    double sum = 0;
                    for (float w : row) sum += w;
                    assertThat(sum).isCloseTo(1, within(1e-5));
                }
            }
        }
    }

    @Test
    void aSourceDecodesAloneAsInABatch() {
        Seq2Seq model = tiny(3, Attention.Form.ADDITIVE, CellType.LSTM);
        var options = new Search.Options(4, 2, 0.6f, 1f, 3);
        var batch = Search.beam(model, SOURCES, options);
        for (int i = 0; i < SOURCES.size(); i++) {
            var alone = Search.beam(model, List.of(SOURCES.get(i)), options).get(0);
            assertThat(alone.best().tokens()).containsExactly(batch.get(i).best().tokens());
            assertThat(alone.best().score()).isCloseTo(batch.get(i).best().score(), within(1e-5));
        }
        var greedyBatch = Search.greedy(model, SOURCES, Search.Options.greedy());
        for (int i = 0; i < SOURCES.size(); i++) {
            assertThat(Search.greedy(model, List.of(SOURCES.get(i)), Search.Options.greedy()).get(0).best().tokens())
                    .containsExactly(greedyBatch.get(i).best().tokens());
        }
    }

    /** Every output of at most {@code max} symbols: ended by </s>, or cut at the maximum length. */
    private static List<Search.Hypothesis> exhaustive(Seq2Seq model, int[] source, int max, float alpha) {
        var out = new ArrayList<Search.Hypothesis>();
        int[] symbols = {0, 1, 3, 4};
        var prefixes = new ArrayList<int[]>(List.of(new int[0]));
        for (int length = 0; length <= max; length++) {
            var next = new ArrayList<int[]>();
            for (int[] p : prefixes) {
                if (length == max) {
                    double lp = logProb(model, source, p, false);
                    out.add(new Search.Hypothesis(p, false, lp, lp / Search.lengthPenalty(length, alpha), null));
                } else {
                    double lp = logProb(model, source, p, true);
                    out.add(new Search.Hypothesis(p, true, lp, lp / Search.lengthPenalty(length + 1, alpha), null));
                    for (int s : symbols) {
                        int[] q = Arrays.copyOf(p, p.length + 1);
                        q[p.length] = s;
                        next.add(q);
                    }
                }
            }
            prefixes = next;
        }
        return out;
    }

    /** log p(tokens [+ </s>] | source) by teacher forcing, one step at a time. */
    static double logProb(Seq2Seq model, int[] source, int[] tokens, boolean withEnd) {
        try (var off = Tape.noGrad()) {
            Seq2Seq.Encoded e = model.encode(List.of(source));
            var state = e.start();
            int previous = Seq2Seq.START_ID;
            double total = 0;
            int steps = tokens.length + (withEnd ? 1 : 0);
            for (int t = 0; t < steps; t++) {
                Seq2Seq.Step s = model.step(new int[] {previous}, state, e.keys());
                state = s.next();
                Tensor logits = model.logits(s.attentional()).value();
                float[] lp = Search.logSoftmax(logits)[0];
                int y = t < tokens.length ? tokens[t] : Seq2Seq.END_ID;
                total += lp[y];
                previous = y;
            }
            return total;
        }
    }
}
