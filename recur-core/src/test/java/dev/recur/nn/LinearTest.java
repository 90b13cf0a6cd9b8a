package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.autograd.GradCheck;
import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    @Test
    void matchesFiniteDifferencesThroughTheModule() {
        var rng = new SplittableRandom(91);
        var linear = new Linear(5, 3, rng);
        var x = Variable.parameter(Tensor.randn(rng, 2, 4, 5));
        assertThat(linear.forward(x).shape()).containsExactly(2, 4, 3);
        GradCheck.of(() -> linear.forward(x)).withRespectTo("x", x).withRespectTo(linear.namedParameters()).assertMatches(TOL);
        var plain = Linear.withoutBias(5, 3, rng);
        GradCheck.of(() -> plain.forward(x)).withRespectTo("x", x).withRespectTo(plain.namedParameters()).assertMatches(TOL);
    }

    @Test
    void computesXTimesWeightTransposedPlusBias() {
        var linear = new Linear(2, 1, new SplittableRandom(1));
        linear.weight().value().copyFrom(Tensor.of(new float[] {2, 3}, 1, 2));
        linear.bias().value().fill(0.5f);
        var y = linear.forward(Variable.of(Tensor.of(new float[] {1, 1, 2, 0}, 2, 2)));
        assertThat(y.value().toArray()).containsExactly(5.5f, 4.5f);
    }

    @Test
    void parametersFollowPyTorchNamesShapesAndInit() {
        var linear = new Linear(512, 96, new SplittableRandom(2));
        assertThat(linear.namedParameters()).containsOnlyKeys("weight", "bias");
        assertThat(linear.weight().shape()).containsExactly(96, 512);
        assertThat(linear.bias().shape()).containsExactly(96);
        float bound = (float) (1 / Math.sqrt(512));
        for (float w : linear.weight().value().toArray()) assertThat(w).isBetween(-bound, bound);
        for (float b : linear.bias().value().toArray()) assertThat(b).isBetween(-bound, bound);
        assertThat(linear.toString()).isEqualTo("Linear(512 -> 96)");
        assertThat(Linear.withoutBias(4, 2, new SplittableRandom(3)).namedParameters()).containsOnlyKeys("weight");
    }

    @Test
    void wrongInputWidthNamesTheLayer() {
        var linear = new Linear(3, 5, new SplittableRandom(4));
        assertThatThrownBy(() -> linear.forward(Variable.of(Tensor.zeros(12, 4, 7)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Linear(3 -> 5): input has 7 features (shape [12, 4, 7]); expected 3");
    }
}
