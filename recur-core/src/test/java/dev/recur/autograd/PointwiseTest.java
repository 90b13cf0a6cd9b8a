package dev.recur.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PointwiseTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    @Test
    void everyFunctionMatchesFiniteDifferences() {
        var rng = new SplittableRandom(11);
        var x = Variable.parameter(Tensor.randn(rng, 3, 7));
        var positive = Variable.parameter(Tensor.uniform(rng, 0.3f, 3f, 2, 5));
        GradCheck.of(x::sigmoid).withRespectTo("x", x).assertMatches(TOL);
        GradCheck.of(x::tanh).withRespectTo("x", x).assertMatches(TOL);
        GradCheck.of(x::relu).withRespectTo("x", x).assertMatches(TOL);
        GradCheck.of(x::exp).withRespectTo("x", x).assertMatches(TOL);
        GradCheck.of(positive::log).withRespectTo("positive", positive).assertMatches(TOL);
        GradCheck.of(() -> x.tanh().sigmoid().exp()).withRespectTo("x", x).assertMatches(TOL);
    }

    @Test
    void knownValues() {
        var x = Variable.of(Tensor.of(new float[] {-1000, -1, 0, 1, 1000}, 5));
        assertThat(x.sigmoid().value().toArray()).containsExactly(new float[] {0, 0.26894142f, 0.5f, 0.7310586f, 1}, within(1e-6f));
        assertThat(x.tanh().value().toArray()).containsExactly(new float[] {-1, -0.7615942f, 0, 0.7615942f, 1}, within(1e-6f));
        assertThat(x.relu().value().toArray()).containsExactly(0, 0, 0, 1, 1000);
        assertThat(Variable.of(Tensor.of(new float[] {0, 1}, 2)).exp().value().toArray()).containsExactly(1, (float) Math.E);
        assertThat(Variable.of(Tensor.of(new float[] {1, (float) Math.E}, 2)).log().value().toArray())
                .containsExactly(new float[] {0, 1}, within(1e-6f));
    }

    @Test
    void dropoutKeepsOrZeroesAndScalesTheKeptOnes() {
        var x = Variable.of(Tensor.full(1f, 100, 100));
        float[] y = x.dropout(0.25f, new SplittableRandom(1), true).value().toArray();
        int kept = 0;
        for (float v : y) {
            assertThat(v).isIn(0f, 1f / 0.75f);
            if (v != 0) kept++;
        }
        assertThat(kept / 10_000.0).isCloseTo(0.75, within(0.02));
    }

    @Test
    void dropoutIsTheIdentityWhenNotTrainingOrPIsZero() {
        var x = Variable.parameter(Tensor.randn(new SplittableRandom(2), 4, 3));
        assertThat(x.dropout(0.5f, new SplittableRandom(3), false)).isSameAs(x);
        assertThat(x.dropout(0f, new SplittableRandom(3), true)).isSameAs(x);
    }

    @Test
    void dropoutMatchesFiniteDifferencesWithAReplayedMask() {
        var x = Variable.parameter(Tensor.randn(new SplittableRandom(4), 5, 3));
        GradCheck.of(() -> x.dropout(0.4f, new SplittableRandom(9), true).tanh()).withRespectTo("x", x).assertMatches(TOL);
    }

    @Test
    void dropoutRejectsPOutsideZeroToOne() {
        var x = Variable.of(Tensor.zeros(2));
        for (float p : new float[] {-0.1f, 1f, Float.NaN}) {
            assertThatThrownBy(() -> x.dropout(p, new SplittableRandom(1), true)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("dropout: p must be in [0, 1)");
        }
    }
}
