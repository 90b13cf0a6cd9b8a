package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.GradCheck;
import dev.recur.autograd.GradCheck.Tolerance;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EmbeddingTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    @Test
    void matchesFiniteDifferencesThroughTheModule() {
        var embed = new Embedding(7, 3, new SplittableRandom(92));
        int[] ids = {6, 0, 6, 3, 2, 6};
        assertThat(embed.forward(ids, 3, 2).shape()).containsExactly(3, 2, 3);
        GradCheck.of(() -> embed.forward(ids, 3, 2).tanh()).withRespectTo(embed.namedParameters()).assertMatches(TOL);
    }

    @Test
    void weightIsStandardNormalUnderPyTorchsName() {
        var embed = new Embedding(1000, 64, new SplittableRandom(93));
        assertThat(embed.namedParameters()).containsOnlyKeys("weight");
        float[] w = embed.weight().value().toArray();
        double s = 0, ss = 0;
        for (float v : w) {
            s += v;
            ss += v * v;
        }
        assertThat(s / w.length).isCloseTo(0, within(0.02));
        assertThat(ss / w.length).isCloseTo(1, within(0.03));
        assertThat(embed.toString()).isEqualTo("Embedding(1000, 64)");
    }

    @Test
    void idOutOfRangeNamesIdAndV() {
        var embed = new Embedding(5, 2, new SplittableRandom(94));
        assertThatThrownBy(() -> embed.forward(new int[] {0, 5})).hasMessageContaining("id 5 at position 1 is outside [0, 5)");
    }
}
