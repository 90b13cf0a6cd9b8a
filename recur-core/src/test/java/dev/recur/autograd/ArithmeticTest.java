package dev.recur.autograd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ArithmeticTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    @Test
    void addBroadcastsOverLeadingDimensions() {
        var rng = new SplittableRandom(4);
        var x = Variable.parameter(Tensor.randn(rng, 2, 3, 4));
        var bias = Variable.parameter(Tensor.randn(rng, 4));
        GradCheck.of(() -> x.add(bias)).withRespectTo("x", x).withRespectTo("bias", bias).assertMatches(TOL);
        GradCheck.of(() -> bias.add(x)).withRespectTo("x", x).withRespectTo("bias", bias).assertMatches(TOL);
    }

    @Test
    void addRejectsShapesThatDoNotBroadcast() {
        var a = Variable.of(Tensor.zeros(2, 3));
        var b = Variable.of(Tensor.zeros(2));
        assertThatThrownBy(() -> a.add(b)).hasMessageContaining("add").hasMessageContaining("[2, 3]").hasMessageContaining("[2]");
    }
}
