package dev.recur.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
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
    void everyBinaryOpMatchesFiniteDifferencesEitherWayRound() {
        var rng = new SplittableRandom(5);
        var x = Variable.parameter(Tensor.randn(rng, 3, 2, 5));
        var row = Variable.parameter(Tensor.randn(rng, 2, 5));
        var one = Variable.parameter(Tensor.randn(rng, 1));
        var same = Variable.parameter(Tensor.randn(rng, 3, 2, 5));
        for (BinaryOperator<Variable> op : List.<BinaryOperator<Variable>>of(Variable::add, Variable::sub, Variable::mul)) {
            for (Variable other : new Variable[] {row, one, same}) {
                GradCheck.of(() -> op.apply(x, other)).withRespectTo("x", x).withRespectTo("other", other).assertMatches(TOL);
                GradCheck.of(() -> op.apply(other, x)).withRespectTo("x", x).withRespectTo("other", other).assertMatches(TOL);
            }
        }
    }

    @Test
    void divMatchesFiniteDifferencesAwayFromZero() {
        var rng = new SplittableRandom(6);
        var x = Variable.parameter(Tensor.randn(rng, 4, 3));
        var d = Variable.parameter(Tensor.uniform(rng, 0.5f, 2f, 3));
        var positive = Variable.parameter(Tensor.uniform(rng, 0.5f, 2f, 4, 3));
        GradCheck.of(() -> x.div(d)).withRespectTo("x", x).withRespectTo("d", d).assertMatches(TOL);
        GradCheck.of(() -> d.div(positive)).withRespectTo("d", d).withRespectTo("positive", positive).assertMatches(TOL);
    }

    @Test
    void scalarFormsMatchFiniteDifferences() {
        var x = Variable.parameter(Tensor.randn(new SplittableRandom(7), 3, 5));
        GradCheck.of(() -> x.mul(3f).add(2f).sub(0.5f).div(4f).neg()).withRespectTo("x", x).assertMatches(TOL);
    }

    @Test
    void knownValuesBroadcastEitherWayRound() {
        var a = Variable.of(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        var b = Variable.of(Tensor.of(new float[] {1, 2, 4}, 3));
        assertThat(a.sub(b).value().toArray()).containsExactly(0, 0, -1, 3, 3, 2);
        assertThat(b.sub(a).value().toArray()).containsExactly(0, 0, 1, -3, -3, -2);
        assertThat(a.mul(b).value().toArray()).containsExactly(1, 4, 12, 4, 10, 24);
        assertThat(b.div(a).value().toArray()).containsExactly(1, 1, 4f / 3, 0.25f, 0.4f, 4f / 6);
        assertThat(a.add(1f).mul(2f).value().toArray()).containsExactly(4, 6, 8, 10, 12, 14);
        assertThat(Variable.of(Tensor.scalar(2)).mul(a).shape()).containsExactly(2, 3);
    }

    @Test
    void addRejectsShapesThatDoNotBroadcast() {
        var a = Variable.of(Tensor.zeros(2, 3));
        var b = Variable.of(Tensor.zeros(2));
        assertThatThrownBy(() -> a.add(b)).hasMessageContaining("add").hasMessageContaining("[2, 3]").hasMessageContaining("[2]");
    }

    @Test
    void mismatchNamesTheOperationAndBothShapes() {
        var a = Variable.of(Tensor.zeros(2, 3));
        var b = Variable.of(Tensor.zeros(4));
        assertThatThrownBy(() -> a.mul(b)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("mul: shapes [2, 3] and [4] do not broadcast");
        assertThatThrownBy(() -> b.div(a)).hasMessageStartingWith("div: shapes [4] and [2, 3] do not broadcast");
        assertThatThrownBy(() -> a.sub(Variable.of(Tensor.zeros(3, 2)))).hasMessageStartingWith("sub: shapes [2, 3] and [3, 2]");
    }

}
