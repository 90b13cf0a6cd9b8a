package dev.recur.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReduceTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    @Test
    void sumsAndMeansMatchFiniteDifferences() {
        var x = Variable.parameter(Tensor.randn(new SplittableRandom(21), 3, 4, 5));
        GradCheck.of(x::sum).withRespectTo("x", x).assertMatches(TOL);
        GradCheck.of(x::mean).withRespectTo("x", x).assertMatches(TOL);
        for (int axis : new int[] {0, 1, 2, -1}) {
            GradCheck.of(() -> x.sum(axis)).withRespectTo("x", x).assertMatches(TOL);
            GradCheck.of(() -> x.mean(axis)).withRespectTo("x", x).assertMatches(TOL);
        }
    }

    @Test
    void knownValues() {
        var x = Variable.of(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertThat(x.sum().value().item()).isEqualTo(21);
        assertThat(x.mean().value().item()).isEqualTo(3.5f);
        assertThat(x.sum(0).value().toArray()).containsExactly(5, 7, 9);
        assertThat(x.mean(-1).value().toArray()).containsExactly(2, 5);
        assertThat(x.sum(1).shape()).containsExactly(2);
        assertThat(Variable.of(Tensor.zeros(0)).mean().value().item()).isNaN();
    }

    @Test
    void badAxisNamesTheShape() {
        var x = Variable.of(Tensor.zeros(2, 3));
        assertThatThrownBy(() -> x.sum(2)).hasMessage("sum: axis 2 is outside a tensor of shape [2, 3]; expected -2 to 1");
    }
}
