package dev.recur.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LossesTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    @Test
    void crossEntropyMatchesFiniteDifferencesWithIgnoredTargets() {
        var logits = Variable.parameter(Tensor.randn(new SplittableRandom(41), 3, 5, 7));   // 15 rows, V = 7
        int[] targets = {0, 6, -100, 3, 3, 1, -100, 2, 5, 4, 0, -100, 6, 1, 2};
        GradCheck.of(() -> logits.crossEntropy(targets)).withRespectTo("logits", logits).assertMatches(TOL);
        int[] custom = {0, 6, 9, 3, 3, 1, 9, 2, 5, 4, 0, 9, 6, 1, 2};
        GradCheck.of(() -> logits.crossEntropy(custom, 9)).withRespectTo("logits", logits).assertMatches(TOL);
    }

    @Test
    void classWeightedCrossEntropyIsPyTorchsWeightedMeanAndMatchesFiniteDifferences() {
        // Rows: p(target) = 5/8 (class 2, weight 3) and 1/3 (class 0, weight 0.5): Σ w·loss / Σ w, as F.cross_entropy(weight=w).
        var two = Variable.of(Tensor.of(new float[] {0, (float) Math.log(2), (float) Math.log(5), 7, 7, 7}, 2, 3));
        float[] w = {0.5f, 1f, 3f};
        double expected = (3 * -Math.log(5 / 8.0) + 0.5 * -Math.log(1 / 3.0)) / 3.5;
        assertThat(two.crossEntropy(new int[] {2, 0}, -100, w).value().item()).isCloseTo((float) expected, within(1e-6f));
        assertThat(two.crossEntropy(new int[] {2, 0}, -100, new float[] {1, 1, 1}).value().item())
                .isEqualTo(two.crossEntropy(new int[] {2, 0}).value().item());
        var logits = Variable.parameter(Tensor.randn(new SplittableRandom(43), 3, 5, 7));
        int[] targets = {0, 6, -100, 3, 3, 1, -100, 2, 5, 4, 0, -100, 6, 1, 2};
        float[] weights = {0.2f, 1f, 2.5f, 0.7f, 1.3f, 3f, 0.1f};
        GradCheck.of(() -> logits.crossEntropy(targets, -100, weights)).withRespectTo("logits", logits).assertMatches(TOL);
    }

    @Test
    void labelSmoothingMatchesPyTorchAndFiniteDifferences() {
        // F.cross_entropy(x, t, ignore_index=-100, label_smoothing=0.2) in PyTorch 1.13, and x.grad after backward.
        var x = Variable.parameter(Tensor.of(new float[] {1, -2, 0.5f, 3, 0.2f, 0.1f, -0.3f, 0, 2, 1, 0, -1}, 3, 4));
        Variable loss = x.crossEntropy(new int[] {3, -100, 0}, -100, 0.2f);
        assertThat(loss.value().item()).isCloseTo(0.7087215781211853f, within(1e-6f));
        loss.backward();
        float[] expected = {0.030276866629719734f, -0.022247927263379097f, 0.008527113124728203f, -0.016556084156036377f, 0, 0, 0, 0,
                -0.10304287075996399f, 0.09344140440225601f, 0.018572164699435234f, -0.008970696479082108f};
        for (int i = 0; i < expected.length; i++) assertThat(x.grad().at(i)).isCloseTo(expected[i], within(1e-6f));
        assertThat(x.crossEntropy(new int[] {3, -100, 0}, -100, 0f).value().item()).isEqualTo(x.crossEntropy(new int[] {3, -100, 0}, -100).value().item());
        var logits = Variable.parameter(Tensor.randn(new SplittableRandom(44), 3, 5, 7));
        int[] targets = {0, 6, -100, 3, 3, 1, -100, 2, 5, 4, 0, -100, 6, 1, 2};
        GradCheck.of(() -> logits.crossEntropy(targets, -100, 0.1f)).withRespectTo("logits", logits).assertMatches(TOL);
        assertThatThrownBy(() -> logits.crossEntropy(targets, -100, 1f)).hasMessageContaining("label smoothing must be in [0, 1)");
    }

    @Test
    void crossEntropyIsMinusLogProbabilityOfTheTarget() {
        // Logits ln 1, ln 2, ln 5: p = 1/8, 2/8, 5/8.
        var logits = Variable.of(Tensor.of(new float[] {0, (float) Math.log(2), (float) Math.log(5)}, 1, 3));
        assertThat(logits.crossEntropy(new int[] {1}).value().item()).isCloseTo((float) -Math.log(0.25), within(1e-6f));
        var two = Variable.of(Tensor.of(new float[] {0, (float) Math.log(2), (float) Math.log(5), 7, 7, 7}, 2, 3));
        float mean = (float) ((-Math.log(5 / 8.0) - Math.log(1 / 3.0)) / 2);
        assertThat(two.crossEntropy(new int[] {2, 0}).value().item()).isCloseTo(mean, within(1e-6f));
        assertThat(two.crossEntropy(new int[] {2, -100}).value().item()).isCloseTo((float) -Math.log(5 / 8.0), within(1e-6f));
    }

    @Test
    void crossEntropyGradientIsSoftmaxMinusOneHotOverTheCount() {
        var logits = Variable.parameter(Tensor.of(new float[] {0, (float) Math.log(3), 1, 1}, 2, 2));
        logits.crossEntropy(new int[] {1, -100}).backward();
        assertThat(logits.grad().toArray()).containsExactly(new float[] {0.25f, -0.25f, 0, 0}, within(1e-6f));
    }

    @Test
    void everyTargetIgnoredGivesZeroLossAndZeroGradient() {
        var logits = Variable.parameter(Tensor.randn(new SplittableRandom(42), 2, 3));
        var loss = logits.crossEntropy(new int[] {-100, -100});
        assertThat(loss.value().item()).isZero();
        loss.backward();
        assertThat(logits.grad() == null ? new float[6] : logits.grad().toArray()).containsOnly(0f);
    }

    @Test
    void crossEntropyRejectsBadTargets() {
        var logits = Variable.of(Tensor.zeros(2, 4, 5));
        assertThatThrownBy(() -> logits.crossEntropy(new int[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cross_entropy: 3 targets for logits [2, 4, 5]; expected 8, one per row of [..., V]");
        assertThatThrownBy(() -> logits.crossEntropy(new int[] {0, 1, 2, 3, 4, 5, 0, 1}))
                .hasMessageContaining("target 5 at position 5 is outside [0, 5)").hasMessageContaining("-100");
    }

    @Test
    void nonFiniteLogitsNameTheProducingOperation() {
        var x = Variable.of(Tensor.randn(new SplittableRandom(43), 4, 8));
        var w = Variable.parameter(Tensor.randn(new SplittableRandom(44), 8, 10));
        x.value().set(Float.NaN, 3, 2);
        var logits = x.matmul(w);
        assertThatThrownBy(() -> logits.crossEntropy(new int[] {1, 2, 3, 4})).isInstanceOf(NonFiniteException.class)
                .isInstanceOf(ArithmeticException.class)
                .hasMessage("cross_entropy: logits hold NaN at [3, 0]; they were produced by matmul [4, 8]·[8, 10]");
    }

    @Test
    void overflowingLossIsReported() {
        var logits = Variable.of(Tensor.of(new float[] {3e38f, -3e38f}, 1, 2));
        assertThatThrownBy(() -> logits.crossEntropy(new int[] {1})).isInstanceOf(NonFiniteException.class)
                .hasMessageStartingWith("cross_entropy: the loss is Infinity although the logits [1, 2] are finite");
        var big = Variable.of(Tensor.of(new float[] {3e30f, -3e30f}, 2));
        assertThatThrownBy(() -> big.mse(Variable.of(Tensor.zeros(2)))).isInstanceOf(NonFiniteException.class)
                .hasMessageStartingWith("mse: the loss is Infinity");
    }

    @Test
    void mseMatchesFiniteDifferencesForPredictionAndTarget() {
        var rng = new SplittableRandom(45);
        var p = Variable.parameter(Tensor.randn(rng, 3, 5));
        var y = Variable.parameter(Tensor.randn(rng, 3, 5));
        GradCheck.of(() -> p.mse(y)).withRespectTo("prediction", p).withRespectTo("target", y).assertMatches(TOL);
    }

    @Test
    void mseKnownValueAndShapeCheck() {
        var p = Variable.of(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        var y = Variable.of(Tensor.of(new float[] {1, 0, 3, 1}, 2, 2));
        assertThat(p.mse(y).value().item()).isEqualTo((0 + 4 + 0 + 9) / 4f);
        assertThatThrownBy(() -> p.mse(Variable.of(Tensor.zeros(4)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mse: prediction [2, 2] and target [4] differ in shape; expected the same shape");
    }

    @Test
    void nonFiniteMseInputsAreNamed() {
        var p = Variable.parameter(Tensor.zeros(2, 3));
        var y = Variable.of(Tensor.zeros(2, 3));
        var shifted = p.add(1f);
        y.value().set(Float.NEGATIVE_INFINITY, 1, 1);
        assertThatThrownBy(() -> shifted.mse(y)).isInstanceOf(NonFiniteException.class)
                .hasMessage("mse: target holds -Inf at [1, 1]; it was produced by constant [2, 3]");
        p.value().set(Float.POSITIVE_INFINITY, 0, 2);
        assertThatThrownBy(() -> p.sub(p).mse(Variable.of(Tensor.zeros(2, 3))))
                .hasMessage("mse: prediction holds NaN at [0, 2]; it was produced by sub [2, 3], [2, 3]");
    }
}
