package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.autograd.GradCheck;
import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LayerNormTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    @Test
    void matchesFiniteDifferencesThroughTheModule() {
        var rng = new SplittableRandom(98);
        var norm = new LayerNorm(5);
        // Move weight and bias off 1 and 0 so their gradients are not a special case.
        norm.weight().value().copyFrom(Tensor.randn(rng, 5));
        norm.bias().value().copyFrom(Tensor.randn(rng, 5));
        var x = Variable.parameter(Tensor.randn(rng, 3, 2, 5));
        GradCheck.of(() -> norm.forward(x)).withRespectTo("x", x).withRespectTo(norm.namedParameters()).assertMatches(TOL);
    }

    @Test
    void startsAsPlainNormalisationUnderPyTorchsNames() {
        var norm = new LayerNorm(64);
        assertThat(norm.namedParameters()).containsOnlyKeys("weight", "bias");
        assertThat(norm.weight().value().toArray()).containsOnly(1f);
        assertThat(norm.bias().value().toArray()).containsOnly(0f);
        assertThat(norm.toString()).isEqualTo("LayerNorm(64, eps=1.0E-5)");
    }

    @Test
    void wrongWidthNamesTheLayer() {
        var norm = new LayerNorm(4);
        assertThatThrownBy(() -> norm.forward(Variable.of(Tensor.zeros(2, 3))))
                .hasMessage("LayerNorm(4, eps=1.0E-5): input has 3 features (shape [2, 3]); expected 4");
    }
}
