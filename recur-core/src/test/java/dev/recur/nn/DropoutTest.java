package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.autograd.GradCheck;
import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DropoutTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    @Test
    void matchesFiniteDifferencesThroughTheModuleWithAReplayedMask() {
        var drop = new Dropout(0.3f, new SplittableRandom(95));
        var x = Variable.parameter(Tensor.randn(new SplittableRandom(96), 3, 7));
        GradCheck.of(() -> drop.forward(x, new SplittableRandom(1))).withRespectTo("x", x).assertMatches(TOL);
    }

    @Test
    void activeInTrainingIdentityInEvaluation() {
        var drop = new Dropout(0.5f, new SplittableRandom(97));
        var x = Variable.of(Tensor.full(1f, 50));
        assertThat(drop.forward(x).value().toArray()).contains(0f, 2f).containsOnly(0f, 2f);
        drop.train(false);
        assertThat(drop.forward(x)).isSameAs(x);
        assertThat(drop.toString()).isEqualTo("Dropout(p=0.5)");
    }

    @Test
    void rejectsPOutsideZeroToOne() {
        assertThatThrownBy(() -> new Dropout(1f, new SplittableRandom(1))).hasMessage("Dropout: p must be in [0, 1), got 1.0");
    }
}
