package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.GradCheck;
import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PoolingTest {
    private static final Tolerance TOLERANCE = Tolerance.relative(1e-2).absolute(1e-3);
    private static final Lengths UNEQUAL = Lengths.of(3, 5, 1);   // not sorted; one sequence of a single step

    /** x[t, b, c] = 100·t + 10·b + c, zero past each length: [T=3, B=2, C=2] with lengths 3 and 2. */
    private static Variable numbered() {
        var x = Tensor.zeros(3, 2, 2);
        int[] len = {3, 2};
        for (int t = 0; t < 3; t++)
            for (int b = 0; b < 2; b++)
                for (int c = 0; c < 2; c++) if (t < len[b]) x.set(100 * t + 10 * b + c, t, b, c);
        return Variable.of(x);
    }

    @Test
    void lastTakesEachSequencesOwnLastStep() {
        var y = Pooling.pool(numbered(), Lengths.of(3, 2), Pooling.LAST);
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.value().toArray()).containsExactly(200, 201, 110, 111);
    }

    @Test
    void lastWithTwoDirectionsTakesStepZeroForTheReverseHalf() {
        var y = Pooling.pool(numbered(), Lengths.of(3, 2), Pooling.LAST, 2);
        assertThat(y.value().toArray()).containsExactly(200, 1, 110, 11);
    }

    @Test
    void meanAndMaxCoverValidStepsOnly() {
        var x = numbered();
        assertThat(Pooling.pool(x, Lengths.of(3, 2), Pooling.MEAN).value().toArray()).containsExactly(100, 101, 60, 61);
        assertThat(Pooling.pool(x, Lengths.of(3, 2), Pooling.MAX).value().toArray()).containsExactly(200, 201, 110, 111);
    }

    @Test
    void paddingNeverWinsTheMaximumEvenWhenEveryValidValueIsNegative() {
        var x = Tensor.zeros(4, 2, 3);   // padded steps are zero, larger than every valid value
        for (int t = 0; t < 4; t++)
            for (int b = 0; b < 2; b++)
                for (int c = 0; c < 3; c++) if (t < (b == 0 ? 2 : 4)) x.set(-1 - t - c - 10 * b, t, b, c);
        var y = Pooling.pool(Variable.of(x), Lengths.of(2, 4), Pooling.MAX);
        assertThat(y.value().toArray()).containsExactly(-1, -2, -3, -11, -12, -13);
    }

    @Test
    void paddedValuesDoNotChangeAnyPooling() {
        var rng = new SplittableRandom(3);
        var x = Tensor.randn(rng, 5, 3, 4);
        var garbage = x.copy();
        for (int t = 0; t < 5; t++)
            for (int b = 0; b < 3; b++)
                for (int c = 0; c < 4; c++) if (t >= UNEQUAL.get(b)) garbage.set(1e6f, t, b, c);
        for (Pooling mode : new Pooling[] {Pooling.LAST, Pooling.MEAN, Pooling.MAX}) {
            for (int dirs = 1; dirs <= 2; dirs++) {
                var clean = Pooling.pool(Variable.of(x), UNEQUAL, mode, dirs).value().toArray();
                assertThat(Pooling.pool(Variable.of(garbage), UNEQUAL, mode, dirs).value().toArray()).as("%s", mode).containsExactly(clean);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Pooling.class, names = {"LAST", "MEAN", "MAX"})
    void matchesFiniteDifferencesWithUnequalLengths(Pooling mode) {
        var x = Variable.parameter(Tensor.randn(new SplittableRandom(5), 5, 3, 4));   // [T=5, B=3, C=4]
        GradCheck.of(() -> Pooling.pool(x, UNEQUAL, mode)).withRespectTo("outputs", x).assertMatches(TOLERANCE);
        GradCheck.of(() -> Pooling.pool(x, UNEQUAL, mode, 2)).withRespectTo("outputs", x).assertMatches(TOLERANCE);
        GradCheck.of(() -> Pooling.pool(x, null, mode)).withRespectTo("outputs", x).assertMatches(TOLERANCE);
    }

    @ParameterizedTest
    @EnumSource(value = Pooling.class, names = {"LAST", "MEAN", "MAX"})
    void paddedStepsGetNoGradient(Pooling mode) {
        var x = Variable.parameter(Tensor.randn(new SplittableRandom(6), 5, 3, 4));
        Pooling.pool(x, UNEQUAL, mode, 2).mul(Variable.of(Tensor.randn(new SplittableRandom(7), 3, 4))).sum().backward();
        for (int t = 0; t < 5; t++)
            for (int b = 0; b < 3; b++)
                for (int c = 0; c < 4; c++) if (t >= UNEQUAL.get(b)) assertThat(x.grad().get(t, b, c)).isZero();
    }

    @Test
    void lastOfABidirectionalLstmIsItsFinalHiddenState() {
        var rng = new SplittableRandom(8);
        var lstm = new Lstm(RecurrentConfig.lstm(3, 4).withDirections(2), rng);
        var lengths = Lengths.of(2, 5, 1, 4);
        var out = lstm.forward(Variable.of(Tensor.randn(rng, 5, 4, 3)), lengths, null);
        var pooled = Pooling.pool(out.output(), lengths, Pooling.LAST, 2).value();
        var h = out.h().value();   // [D=2, B, H]: forward, reverse
        for (int b = 0; b < 4; b++) {
            for (int j = 0; j < 4; j++) {
                assertThat(pooled.get(b, j)).isCloseTo(h.get(0, b, j), within(1e-6f));
                assertThat(pooled.get(b, 4 + j)).isCloseTo(h.get(1, b, j), within(1e-6f));
            }
        }
    }

    @Test
    void badArgumentsAreNamed() {
        var x = Variable.of(Tensor.zeros(4, 2, 3));
        assertThatThrownBy(() -> Pooling.pool(x, null, Pooling.ATTENTION)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AttentionPooling");
        assertThatThrownBy(() -> Pooling.pool(x, null, Pooling.LAST, 2))
                .hasMessage("pool(LAST): outputs have 3 columns (shape [4, 2, 3]), which do not split into 2 directions");
        assertThatThrownBy(() -> Pooling.pool(x, null, Pooling.LAST, 3)).hasMessage("pool(LAST): directions must be 1 or 2, got 3");
        assertThatThrownBy(() -> Pooling.pool(x, Lengths.of(4, 2, 1), Pooling.MEAN)).hasMessage("pool(MEAN): 3 lengths for a batch of 2");
        assertThatThrownBy(() -> Pooling.pool(x, Lengths.of(5, 2), Pooling.MAX))
                .hasMessage("pool(MAX): a sequence of length 5 in an input of 4 steps");
        assertThatThrownBy(() -> Pooling.pool(Variable.of(Tensor.zeros(4, 6)), null, Pooling.MAX))
                .hasMessage("pool(MAX): outputs have shape [4, 6]; expected [T, B, C], time-major");
    }
}
