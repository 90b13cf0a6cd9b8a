package dev.recur.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MatMulTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    @Test
    void matchesFiniteDifferencesForEveryTransposeCombination() {
        var rng = new SplittableRandom(1);
        for (Transpose ta : Transpose.values()) {
            for (Transpose tb : Transpose.values()) {
                var a = Variable.parameter(ta == Transpose.NONE ? Tensor.randn(rng, 3, 4) : Tensor.randn(rng, 4, 3));
                var b = Variable.parameter(tb == Transpose.NONE ? Tensor.randn(rng, 4, 5) : Tensor.randn(rng, 5, 4));
                GradCheck.of(() -> a.matmul(b, ta, tb)).withRespectTo("a", a).withRespectTo("b", b).assertMatches(TOL);
            }
        }
    }

    @Test
    void leadingDimensionsActAsRows() {
        var rng = new SplittableRandom(2);
        var x = Variable.parameter(Tensor.randn(rng, 2, 3, 4));
        var w = Variable.parameter(Tensor.randn(rng, 4, 5));
        assertThat(x.matmul(w).shape()).containsExactly(2, 3, 5);
        GradCheck.of(() -> x.matmul(w)).withRespectTo("x", x).withRespectTo("w", w).assertMatches(TOL);
    }

    @Test
    void knownProduct() {
        var a = Variable.of(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        var b = Variable.of(Tensor.of(new float[] {5, 6, 7, 8}, 2, 2));
        assertThat(a.matmul(b).value().toArray()).containsExactly(19, 22, 43, 50);
    }

    @Test
    void brokenBackwardIsCaught() {
        var rng = new SplittableRandom(3);
        var a = Variable.parameter(Tensor.randn(rng, 3, 4));
        var b = Variable.parameter(Tensor.randn(rng, 4, 5));
        // Doubling the output without recording the factor makes the analytic gradient half the true one.
        var failures = GradCheck.of(() -> {
            var c = a.matmul(b);
            for (int i = 0; i < c.value().size(); i++) c.value().data()[i] *= 2f;
            return c;
        }).withRespectTo("a", a).check(TOL);
        assertThat(failures).isNotEmpty().first().asString().startsWith("a[").contains("analytic").contains("numeric");
    }

    @Test
    void shapeMismatchNamesBothShapes() {
        var a = Variable.of(Tensor.zeros(3, 4));
        var b = Variable.of(Tensor.zeros(5, 6));
        assertThatThrownBy(() -> a.matmul(b)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("matmul").hasMessageContaining("[3, 4]").hasMessageContaining("[5, 6]");
    }
}
