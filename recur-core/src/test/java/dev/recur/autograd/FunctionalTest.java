package dev.recur.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Embedding and layer norm; concat is in ShapesTest. */
class FunctionalTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    @Test
    void embeddingScatterAddsRepeatedIds() {
        var weight = Variable.parameter(Tensor.randn(new SplittableRandom(61), 5, 3));
        int[] ids = {4, 0, 4, 2, 4, 1};
        GradCheck.of(() -> Functional.embedding(weight, ids, 2, 3)).withRespectTo("weight", weight).assertMatches(TOL);
        var y = Functional.embedding(weight, ids, 2, 3);
        assertThat(y.shape()).containsExactly(2, 3, 3);
        assertThat(y.value().get(1, 0, 2)).isEqualTo(weight.value().get(2, 2));
        assertThat(Functional.embedding(weight, ids).shape()).containsExactly(6, 3);
    }

    @Test
    void embeddingGradientCountsEachOccurrence() {
        var weight = Variable.parameter(Tensor.zeros(3, 2));
        Functional.embedding(weight, new int[] {2, 2, 0}).sum().backward();
        assertThat(weight.grad().toArray()).containsExactly(1, 1, 0, 0, 2, 2);
    }

    @Test
    void embeddingRejectsIdsOutOfRangeNamingTheIdAndV() {
        var weight = Variable.of(Tensor.zeros(10, 4));
        assertThatThrownBy(() -> Functional.embedding(weight, new int[] {1, 2, 3, 12})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embedding: id 12 at position 3 is outside [0, 10) for a weight of shape [10, 4] (V = 10)");
        assertThatThrownBy(() -> Functional.embedding(weight, new int[] {-1})).hasMessageContaining("id -1 at position 0");
        assertThatThrownBy(() -> Functional.embedding(weight, new int[] {1, 2, 3}, 2, 2))
                .hasMessage("embedding: 3 ids do not fill the leading shape [2, 2] (4 positions)");
    }

    @Test
    void layerNormMatchesFiniteDifferences() {
        var rng = new SplittableRandom(62);
        var x = Variable.parameter(Tensor.randn(rng, 2, 3, 5).reshape(2, 3, 5));
        var gamma = Variable.parameter(Tensor.randn(rng, 5));
        var beta = Variable.parameter(Tensor.randn(rng, 5));
        GradCheck.of(() -> Functional.layerNorm(x, gamma, beta, 1e-5f))
                .withRespectTo("x", x).withRespectTo("gamma", gamma).withRespectTo("beta", beta).assertMatches(TOL);
        var single = Variable.parameter(Tensor.randn(rng, 4, 1));
        var one = Variable.parameter(Tensor.randn(rng, 1));
        GradCheck.of(() -> single.layerNorm(one, one, 1e-5f)).withRespectTo("single", single).withRespectTo("one", one).assertMatches(TOL);
    }

    @Test
    void layerNormGivesMeanZeroAndVarianceOne() {
        var x = Variable.of(Tensor.randn(new SplittableRandom(63), 4, 16));
        for (int i = 0; i < 16; i++) x.value().set(x.value().get(2, i) * 100 + 1000, 2, i);
        var y = x.layerNorm(Variable.of(Tensor.full(1f, 16)), Variable.of(Tensor.zeros(16)), 1e-5f).value();
        for (int r = 0; r < 4; r++) {
            double s = 0, ss = 0;
            for (int j = 0; j < 16; j++) s += y.get(r, j);
            for (int j = 0; j < 16; j++) ss += (y.get(r, j) - s / 16) * (y.get(r, j) - s / 16);
            assertThat(s / 16).isCloseTo(0, within(1e-5));
            assertThat(ss / 16).isCloseTo(1, within(1e-3));
        }
    }

    @Test
    void layerNormKnownValue() {
        // x = [1, 3]: μ = 2, σ² = 1, x̂ = [−1, 1]; y = γ x̂ + β.
        var x = Variable.of(Tensor.of(new float[] {1, 3}, 1, 2));
        var y = x.layerNorm(Variable.of(Tensor.of(new float[] {2, 3}, 2)), Variable.of(Tensor.of(new float[] {1, 0}, 2)), 0.0001f);
        assertThat(y.value().toArray()).containsExactly(new float[] {-1, 3}, within(1e-3f));
    }

    @Test
    void layerNormRejectsMismatchedParameters() {
        var x = Variable.of(Tensor.zeros(2, 5));
        assertThatThrownBy(() -> x.layerNorm(Variable.of(Tensor.zeros(4)), Variable.of(Tensor.zeros(4)), 1e-5f))
                .hasMessage("layer_norm: input [2, 5] with weight [4] and bias [4]; expected both [5], the input's last dimension");
    }
}
