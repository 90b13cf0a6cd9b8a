package dev.recur.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShapesTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    @Test
    void concatMatchesFiniteDifferencesAlongEveryAxis() {
        var rng = new SplittableRandom(51);
        var a = Variable.parameter(Tensor.randn(rng, 2, 3, 4));
        var b = Variable.parameter(Tensor.randn(rng, 2, 3, 4));
        var wide = Variable.parameter(Tensor.randn(rng, 2, 3, 1));
        var constant = Variable.of(Tensor.randn(rng, 2, 3, 4));
        for (int axis : new int[] {0, 1, 2, -1}) {
            GradCheck.of(() -> Functional.concat(axis, a, constant, b)).withRespectTo("a", a).withRespectTo("b", b).assertMatches(TOL);
        }
        GradCheck.of(() -> Functional.concat(-1, a, wide, a)).withRespectTo("a", a).withRespectTo("wide", wide).assertMatches(TOL);
    }

    @Test
    void concatKnownValues() {
        var a = Variable.of(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        var b = Variable.of(Tensor.of(new float[] {5, 6}, 2, 1));
        var y = Functional.concat(1, a, b);
        assertThat(y.shape()).containsExactly(2, 3);
        assertThat(y.value().toArray()).containsExactly(1, 2, 5, 3, 4, 6);
        assertThat(Functional.concat(0, a, a).value().toArray()).containsExactly(1, 2, 3, 4, 1, 2, 3, 4);
    }

    @Test
    void sliceAndSplitMatchFiniteDifferences() {
        var x = Variable.parameter(Tensor.randn(new SplittableRandom(52), 3, 5, 2));
        GradCheck.of(() -> x.slice(1, 1, 4)).withRespectTo("x", x).assertMatches(TOL);
        GradCheck.of(() -> x.slice(0, 2, 3)).withRespectTo("x", x).assertMatches(TOL);
        GradCheck.of(() -> x.slice(-1, 1, 2)).withRespectTo("x", x).assertMatches(TOL);
        // The parts are used unequally, so every part's gradient path is visible.
        GradCheck.of(() -> {
            var parts = x.split(1, 2, 0, 3);
            return Functional.concat(1, parts.get(2).tanh(), parts.get(0).mul(3f), parts.get(1));
        }).withRespectTo("x", x).assertMatches(TOL);
    }

    @Test
    void sliceKnownValuesAndSplitSizes() {
        var x = Variable.of(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertThat(x.slice(1, 1, 3).value().toArray()).containsExactly(2, 3, 5, 6);
        var parts = x.split(-1, 1, 2);
        assertThat(parts.get(0).value().toArray()).containsExactly(1, 4);
        assertThat(parts.get(1).shape()).containsExactly(2, 2);
    }

    @Test
    void reshapeMatchesFiniteDifferences() {
        var x = Variable.parameter(Tensor.randn(new SplittableRandom(53), 2, 6));
        GradCheck.of(() -> x.reshape(3, -1).tanh()).withRespectTo("x", x).assertMatches(TOL);
        assertThat(x.reshape(4, 3).shape()).containsExactly(4, 3);
    }

    @Test
    void badShapesNameTheOperationAndShapes() {
        var a = Variable.of(Tensor.zeros(2, 3));
        var b = Variable.of(Tensor.zeros(3, 3));
        assertThatThrownBy(() -> Functional.concat(1, a, b)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("concat: part 1 has shape [3, 3] and part 0 has [2, 3]; every dimension except axis 1 must match");
        assertThatThrownBy(() -> a.slice(1, 2, 4))
                .hasMessage("slice: range 2..4 is outside axis 1 of shape [2, 3]; expected 0 <= from <= to <= 3");
        assertThatThrownBy(() -> a.split(1, 1, 1)).hasMessage("split: sizes [1, 1] add up to 2, but axis 1 of [2, 3] has 3");
        assertThatThrownBy(() -> a.reshape(4, 2)).hasMessageStartingWith("reshape: cannot view [2, 3] (6 values) as [4, 2]");
        assertThatThrownBy(() -> Functional.concat(3, a)).hasMessageStartingWith("concat: axis 3 is outside a tensor of shape [2, 3]");
    }
}
