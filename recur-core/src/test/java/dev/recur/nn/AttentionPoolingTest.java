package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.GradCheck;
import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AttentionPoolingTest {
    private static final Tolerance TOLERANCE = Tolerance.relative(1e-2).absolute(1e-3);
    private static final Lengths UNEQUAL = Lengths.of(3, 5, 1);   // not sorted; one sequence of a single step

    @Test
    void matchesFiniteDifferencesForInputAndEveryParameter() {
        var rng = new SplittableRandom(31);
        var attention = new AttentionPooling(4, 3, rng);
        scale(attention, 3f);   // larger scores than the initialisation's, so the softmax is far from uniform
        var x = Variable.parameter(Tensor.randn(rng, 5, 3, 4));   // [T=5, B=3, H=4]
        GradCheck.of(() -> attention.forward(x, UNEQUAL).pooled())
                .withRespectTo("outputs", x).withRespectTo(attention.namedParameters()).assertMatches(TOLERANCE);
        GradCheck.of(() -> attention.forward(x, null).pooled())
                .withRespectTo("outputs", x).withRespectTo(attention.namedParameters()).assertMatches(TOLERANCE);
    }

    @Test
    void matchesAPlainComputationInDouble() {
        var rng = new SplittableRandom(32);
        int steps = 40, batch = 5, hidden = 37, size = 19;   // sizes no vector width divides
        var attention = new AttentionPooling(hidden, size, rng);
        var lengths = Lengths.of(17, 40, 1, 33, 2);
        var x = Tensor.randn(rng, steps, batch, hidden);
        var out = attention.forward(Variable.of(x), lengths);
        for (int b = 0; b < batch; b++) {
            double[] alpha = referenceWeights(attention, x, lengths, b);
            for (int t = 0; t < steps; t++) {
                assertThat(out.weights().get(t, b)).isCloseTo((float) (t < alpha.length ? alpha[t] : 0), within(1e-6f));
            }
            for (int h = 0; h < hidden; h++) {
                double y = 0;
                for (int t = 0; t < alpha.length; t++) y += alpha[t] * x.get(t, b, h);
                assertThat(out.pooled().value().get(b, h)).isCloseTo((float) y, within(1e-5f));
            }
        }
    }

    @Test
    void weightsSumToOneOverValidStepsAndAreExactlyZeroOnPadding() {
        var rng = new SplittableRandom(33);
        var attention = new AttentionPooling(4, 3, rng);
        var x = Tensor.randn(rng, 5, 3, 4);
        var garbage = x.copy();
        for (int t = 0; t < 5; t++)
            for (int b = 0; b < 3; b++)
                for (int h = 0; h < 4; h++) if (t >= UNEQUAL.get(b)) garbage.set(1e4f, t, b, h);
        var out = attention.forward(Variable.of(garbage), UNEQUAL);
        for (int b = 0; b < 3; b++) {
            float[] w = out.weightsOf(b);
            assertThat(w).hasSize(UNEQUAL.get(b));
            double sum = 0;
            for (float v : w) sum += v;
            assertThat(sum).isCloseTo(1, within(1e-6));
            for (int t = UNEQUAL.get(b); t < 5; t++) assertThat(out.weights().get(t, b)).isZero();
        }
        assertThat(out.weightsOf(2)).containsExactly(1f);   // one step takes all the weight
        assertThat(out.pooled().value().toArray())
                .containsExactly(attention.forward(Variable.of(x), UNEQUAL).pooled().value().toArray(), within(1e-6f));
    }

    @Test
    void paddedStepsGetNoGradient() {
        var rng = new SplittableRandom(34);
        var attention = new AttentionPooling(4, 3, rng);
        var x = Variable.parameter(Tensor.randn(rng, 5, 3, 4));
        attention.forward(x, UNEQUAL).pooled().mul(Variable.of(Tensor.randn(rng, 3, 4))).sum().backward();
        for (int t = 0; t < 5; t++)
            for (int b = 0; b < 3; b++)
                for (int h = 0; h < 4; h++) {
                    if (t >= UNEQUAL.get(b)) assertThat(x.grad().get(t, b, h)).isZero();
                    else assertThat(x.grad().get(t, b, h)).isNotZero();
                }
    }

    @Test
    void parametersAreNamedAndInitialisedLikeLinearLayers() {
        var attention = new AttentionPooling(16, 4, new SplittableRandom(35));
        assertThat(attention.namedParameters().keySet()).containsExactly("weight", "bias", "context");
        assertThat(attention.weight().shape()).containsExactly(4, 16);
        assertThat(attention.bias().shape()).containsExactly(4);
        assertThat(attention.context().shape()).containsExactly(4);
        assertThat(maxAbs(attention.weight())).isLessThanOrEqualTo(0.25f).isGreaterThan(0.2f);   // U(−1/√16, 1/√16)
        assertThat(maxAbs(attention.bias())).isLessThanOrEqualTo(0.25f);
        assertThat(maxAbs(attention.context())).isLessThanOrEqualTo(0.5f);                        // U(−1/√4, 1/√4)
        assertThat(attention).hasToString("AttentionPooling(16 -> 4)");
    }

    @Test
    void recordsNothingWithoutGradient() {
        var attention = new AttentionPooling(4, 3, new SplittableRandom(36));
        Tape.clear();
        try (var off = Tape.noGrad()) {
            var out = attention.forward(Variable.of(Tensor.randn(new SplittableRandom(37), 5, 3, 4)), UNEQUAL);
            assertThat(out.pooled().requiresGrad()).isFalse();
        }
        assertThat(Tape.size()).isZero();
    }

    @Test
    void badShapesAreNamed() {
        var attention = new AttentionPooling(4, 3, new SplittableRandom(38));
        assertThatThrownBy(() -> attention.forward(Variable.of(Tensor.zeros(5, 3, 6)), null))
                .hasMessage("AttentionPooling(4 -> 3): outputs have shape [5, 3, 6]; expected [T, B, 4], time-major");
        assertThatThrownBy(() -> attention.forward(Variable.of(Tensor.zeros(5, 3, 4)), Lengths.of(5, 6, 1)))
                .hasMessage("AttentionPooling(4 -> 3): a sequence of length 6 in an input of 5 steps");
    }

    /** α over sequence b's valid steps from the definition, in double. */
    private static double[] referenceWeights(AttentionPooling attention, Tensor x, Lengths lengths, int b) {
        Tensor w = attention.weight().value(), bias = attention.bias().value(), v = attention.context().value();
        int size = w.dim(0), hidden = w.dim(1);
        double[] s = new double[lengths.get(b)];
        for (int t = 0; t < s.length; t++) {
            for (int a = 0; a < size; a++) {
                double z = bias.get(a);
                for (int h = 0; h < hidden; h++) z += w.get(a, h) * x.get(t, b, h);
                s[t] += v.get(a) * Math.tanh(z);
            }
        }
        double max = Arrays.stream(s).max().orElseThrow(), sum = 0;
        for (double score : s) sum += Math.exp(score - max);
        for (int t = 0; t < s.length; t++) s[t] = Math.exp(s[t] - max) / sum;
        return s;
    }

    static float maxAbs(Variable v) {
        float m = 0;
        for (float x : v.value().toArray()) m = Math.max(m, Math.abs(x));
        return m;
    }

    private static void scale(Module m, float factor) {
        for (Variable p : m.parameters()) {
            float[] d = p.value().data();
            for (int i = 0; i < p.value().size(); i++) d[p.value().offset() + i] *= factor;
        }
    }
}
