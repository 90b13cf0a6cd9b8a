package dev.recur.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.Variable;
import dev.recur.nn.Lstm;
import dev.recur.nn.RecurrentConfig;
import dev.recur.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CollatorTest {
    private static final int IG = StreamBatches.IGNORE;

    @Test
    void padsTokensAndTagsTimeMajorInTheOrderGiven() {
        var examples = List.of(Example.tagged(new int[] {5, 6, 7}, new int[] {1, 2, 1}),
                Example.tagged(new int[] {8}, new int[] {3}),
                Example.tagged(new int[] {9, 10}, new int[] {4, 0}));
        Batch b = new Collator().collate(examples, new int[] {1, 0, 2});
        assertThat(b.size()).isEqualTo(3);
        assertThat(b.steps()).isEqualTo(3);
        assertThat(b.indices()).containsExactly(1, 0, 2);
        assertThat(b.lengths().toArray()).containsExactly(1, 3, 2);
        assertThat(b.tokens()).containsExactly(8, 5, 9, 0, 6, 10, 0, 7, 0);
        assertThat(b.tags()).containsExactly(3, 1, 4, IG, 2, 0, IG, 1, IG);
        assertThat(b.labels()).containsExactly(IG, IG, IG);
        assertThat(b.features()).isNull();
    }

    @Test
    void labelsPerSequenceAndAChosenPadToken() {
        var examples = List.of(Example.labelled(new int[] {3, 4}, 1), Example.labelled(new int[] {5}, 0), Example.of(6));
        Batch b = new Collator(99).collate(examples);
        assertThat(b.indices()).containsExactly(0, 1, 2);
        assertThat(b.tokens()).containsExactly(3, 5, 6, 4, 99, 99);
        assertThat(b.labels()).containsExactly(1, 0, IG);
        assertThat(b.tags()).isNull();
    }

    @Test
    void featuresAreTimeMajorWithZerosPastEachLength() {
        var examples = List.of(Example.series(new float[][] {{1, 2}}), Example.series(new float[][] {{3, 4}, {5, 6}}, 1));
        Batch b = new Collator().collate(examples);
        assertThat(b.features().shape()).containsExactly(2, 2, 2);   // [T, B, F]
        assertThat(b.features().toArray()).containsExactly(1, 2, 3, 4, 0, 0, 5, 6);
        assertThat(b.tokens()).isNull();
        assertThat(b.labels()).containsExactly(IG, 1);
    }

    @Test
    void paddedTagsAddNothingToTheLoss() {
        var examples = List.of(Example.tagged(new int[] {1, 2, 3}, new int[] {0, 2, 1}), Example.tagged(new int[] {4}, new int[] {2}));
        Batch b = new Collator().collate(examples);
        var rng = new SplittableRandom(3);
        Tensor logits = Tensor.randn(rng, 6, 3);                           // [T·B, V]
        float padded = Variable.of(logits).crossEntropy(b.tags()).value().item();
        int[] valid = {0, 1, 2, 4};                                        // rows t·B + b with t < lengths[b]
        float[] kept = new float[valid.length * 3];
        int[] targets = new int[valid.length];
        for (int i = 0; i < valid.length; i++) {
            System.arraycopy(logits.toArray(), valid[i] * 3, kept, i * 3, 3);
            targets[i] = b.tags()[valid[i]];
        }
        assertThat(padded).isCloseTo(Variable.of(Tensor.of(kept, valid.length, 3)).crossEntropy(targets).value().item(), within(1e-6f));
    }

    @Test
    void eachRowOfAnUnsortedBatchMatchesItsExampleAlone() {
        var rng = new SplittableRandom(11);
        var lstm = new Lstm(RecurrentConfig.lstm(2, 3).withDirections(2), rng);
        var examples = List.of(series(rng, 2), series(rng, 4), series(rng, 3));
        Batch batch = new Collator().collate(examples, new int[] {2, 0, 1});
        var out = lstm.forward(Variable.of(batch.features()), batch.lengths(), null);
        for (int b = 0; b < batch.size(); b++) {
            Batch alone = new Collator().collate(examples, new int[] {batch.indices()[b]});
            var one = lstm.forward(Variable.of(alone.features()), alone.lengths(), null);
            for (int d = 0; d < 2; d++) {
                for (int j = 0; j < 3; j++) {
                    assertThat(out.h().value().get(d, b, j)).as("h[%d, %d, %d]", d, b, j).isCloseTo(one.h().value().get(d, 0, j), within(1e-5f));
                }
            }
        }
    }

    @Test
    void refusesAnEmptyExampleByItsIndex() {
        var examples = List.of(Example.of(1, 2), Example.of(), Example.of(3));
        assertThatThrownBy(() -> new Collator().collate(examples, new int[] {0, 1}))
                .isInstanceOf(InvalidDataException.class).hasMessageStartingWith("example 1: empty (length 0)");
        assertThatThrownBy(() -> new Collator().collate(examples, new int[] {2, 5})).hasMessageContaining("example 5")
                .hasMessageContaining("there are 3");
        assertThatThrownBy(() -> new Collator().collate(examples, new int[0])).hasMessageContaining("at least one example");
    }

    @Test
    void refusesABatchWhoseExamplesHaveDifferentParts() {
        var examples = List.of(Example.tagged(new int[] {1}, new int[] {0}), Example.of(2),
                Example.series(new float[][] {{1, 2}}), Example.series(new float[][] {{1, 2, 3}}));
        assertThatThrownBy(() -> new Collator().collate(examples, new int[] {0, 1}))
                .hasMessageContaining("example 1 has no tags but example 0 in the same batch has");
        assertThatThrownBy(() -> new Collator().collate(examples, new int[] {2, 3}))
                .hasMessageContaining("example 3 has 3 features per step; example 2 in the same batch has 2");
        assertThatThrownBy(() -> new Collator().collate(examples, new int[] {1, 2})).hasMessageContaining("example 2 has no tokens");
    }

    @Test
    void anExampleChecksItsOwnParts() {
        assertThatThrownBy(() -> Example.tagged(new int[] {1, 2}, new int[] {0})).hasMessageContaining("2 steps but 1 tags");
        assertThatThrownBy(() -> Example.series(new float[][] {{1, 2}, {3}})).hasMessageContaining("step 1 of an example has 1 features");
        assertThatThrownBy(() -> Example.of(1, 2).withFeatures(new float[][] {{1}})).hasMessageContaining("2 tokens but 1 feature steps");
        assertThat(Example.of(1, 2).withFeatures(new float[][] {{1}, {2}}).featureSize()).isEqualTo(1);
    }

    private static Example series(SplittableRandom rng, int steps) {
        float[][] f = new float[steps][];
        for (int t = 0; t < steps; t++) f[t] = Tensor.randn(rng, 2).toArray();
        return Example.series(f);
    }
}
