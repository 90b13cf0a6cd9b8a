package dev.recur.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SoftmaxTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    @Test
    void softmaxAndLogSoftmaxMatchFiniteDifferences() {
        var x = Variable.parameter(Tensor.randn(new SplittableRandom(31), 2, 3, 7));
        GradCheck.of(x::softmax).withRespectTo("x", x).assertMatches(TOL);
        GradCheck.of(x::logSoftmax).withRespectTo("x", x).assertMatches(TOL);
        var single = Variable.parameter(Tensor.randn(new SplittableRandom(32), 1));
        GradCheck.of(single::logSoftmax).withRespectTo("single", single).assertMatches(TOL);
    }

    @Test
    void rowsArePositiveAndSumToOne() {
        var y = Variable.of(Tensor.randn(new SplittableRandom(33), 4, 9)).mul(5f).softmax().value();
        for (int r = 0; r < 4; r++) {
            double s = 0;
            for (int j = 0; j < 9; j++) {
                assertThat(y.get(r, j)).isPositive();
                s += y.get(r, j);
            }
            assertThat(s).isCloseTo(1, within(1e-6));
        }
    }

    @Test
    void largeLogitsDoNotOverflow() {
        var x = Variable.of(Tensor.of(new float[] {1000, 1001, 1002, -1000}, 4));
        float[] p = x.softmax().value().toArray();
        float[] logP = x.logSoftmax().value().toArray();
        double z = 1 + Math.exp(-1) + Math.exp(-2);
        assertThat(p).containsExactly(new float[] {(float) (Math.exp(-2) / z), (float) (Math.exp(-1) / z), (float) (1 / z), 0}, within(1e-6f));
        assertThat(logP[2]).isCloseTo((float) -Math.log(z), within(1e-5f));
        assertThat(logP[3]).isCloseTo((float) (-2002 - Math.log(z)), within(1e-2f));
    }

    @Test
    void logSoftmaxIsTheLogOfSoftmax() {
        var x = Variable.of(Tensor.randn(new SplittableRandom(34), 3, 5));
        float[] a = x.logSoftmax().value().toArray(), b = x.softmax().log().value().toArray();
        assertThat(a).containsExactly(b, within(1e-5f));
    }
}
