package dev.recur.task.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import org.junit.jupiter.api.Test;

class ThresholdRuleTest {

    @Test
    void parsesTheThreeForms() {
        assertThat(ThresholdRule.parse("max:1.1")).isEqualTo(new ThresholdRule(ThresholdRule.Kind.MAX, 1.1));
        assertThat(ThresholdRule.parse("quantile:0.999")).isEqualTo(new ThresholdRule(ThresholdRule.Kind.QUANTILE, 0.999));
        assertThat(ThresholdRule.parse(" Dynamic ").kind()).isEqualTo(ThresholdRule.Kind.DYNAMIC);
        assertThat(ThresholdRule.parse("MAX:2").value()).isEqualTo(2.0);
        for (String text : new String[] {"max:1.1", "quantile:0.999", "dynamic"}) {
            assertThat(ThresholdRule.parse(ThresholdRule.parse(text).toString())).as(text).isEqualTo(ThresholdRule.parse(text));
        }
    }

    @Test
    void badTextNamesTheForms() {
        for (String text : new String[] {"", "max", "max:", "max:abc", "quantile", "median:0.5", "dynamic:2", "1.1"}) {
            assertThatThrownBy(() -> ThresholdRule.parse(text)).as(text).isInstanceOf(InvalidOptionException.class)
                    .hasMessageContaining("max:K").hasMessageContaining("quantile:Q").hasMessageContaining("dynamic")
                    .hasMessageContaining("\"" + text + "\"");
        }
        assertThatThrownBy(() -> ThresholdRule.parse("max:0")).isInstanceOf(InvalidOptionException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> ThresholdRule.parse("max:-1")).isInstanceOf(InvalidOptionException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> ThresholdRule.parse("quantile:0")).isInstanceOf(InvalidOptionException.class).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> ThresholdRule.parse("quantile:1.5")).isInstanceOf(InvalidOptionException.class).hasMessageContaining("(0, 1]");
    }

    /** {3, 1, NaN, 4, 1, 5, 9, 2, 6}: the NaN is ignored, sorted 1 1 2 3 4 5 6 9 (n = 8, largest 9). */
    private static final float[] VALID = {3, 1, Float.NaN, 4, 1, 5, 9, 2, 6};

    @Test
    void maxIsAMultipleOfTheLargestValidationScore() {
        assertThat(ThresholdRule.parse("max:1.5").threshold(VALID)).isCloseTo(13.5, within(1e-9));   // 1.5 × 9
        assertThat(ThresholdRule.parse("max:1").threshold(VALID)).isCloseTo(9, within(1e-9));
    }

    @Test
    void quantileInterpolatesLinearlyLikeNumPy() {
        // position q·(n − 1) in the sorted values, interpolated between its neighbours:
        // q = 0.9:  6.3  → 6 + 0.3 × (9 − 6) = 6.9
        // q = 0.5:  3.5  → 3 + 0.5 × (4 − 3) = 3.5   (the median of 8 values, (3 + 4) / 2)
        // q = 0.25: 1.75 → 1 + 0.75 × (2 − 1) = 1.75
        // q = 1:    7    → 9
        assertThat(ThresholdRule.parse("quantile:0.9").threshold(VALID)).isCloseTo(6.9, within(1e-6));
        assertThat(ThresholdRule.parse("quantile:0.5").threshold(VALID)).isCloseTo(3.5, within(1e-6));
        assertThat(ThresholdRule.parse("quantile:0.25").threshold(VALID)).isCloseTo(1.75, within(1e-6));
        assertThat(ThresholdRule.parse("quantile:1").threshold(VALID)).isCloseTo(9, within(1e-6));
        // one value: every quantile is that value
        assertThat(ThresholdRule.parse("quantile:0.3").threshold(new float[] {2.5f})).isCloseTo(2.5, within(1e-9));
    }

    @Test
    void thresholdNeedsValidationScoresExceptForTheDynamicRule() {
        assertThat(ThresholdRule.parse("dynamic").threshold(VALID)).isNaN();
        assertThatThrownBy(() -> ThresholdRule.parse("max:1.1").threshold(new float[] {Float.NaN})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ThresholdRule.parse("quantile:0.9").threshold(new float[0])).isInstanceOf(IllegalArgumentException.class);
    }

    /** 200 scores 1 + 0.1·N(0, 1) with 5 isolated spikes of 5 among them. */
    private static float[] spiky(int[] spikes) {
        var rng = new Rng(11);
        float[] s = new float[200];
        for (int i = 0; i < s.length; i++) s[i] = (float) (1 + 0.1 * rng.nextGaussian());
        for (int i : spikes) s[i] = 5f;
        return s;
    }

    @Test
    void dynamicThresholdSeparatesSpikesFromNormalScores() {
        int[] spikes = {20, 61, 102, 143, 184};
        float[] s = spiky(spikes);
        double largestNormal = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < s.length; i++) {
            final int at = i;
            if (java.util.Arrays.stream(spikes).noneMatch(k -> k == at)) largestNormal = Math.max(largestNormal, s[i]);
        }
        double t = ThresholdRule.dynamic(s);
        assertThat(t).isGreaterThan(largestNormal).isLessThan(5);

        // the same with NaN entries (the unscored first rows) before them
        float[] withNan = new float[s.length + 10];
        java.util.Arrays.fill(withNan, Float.NaN);
        System.arraycopy(s, 0, withNan, 10, s.length);
        double t2 = ThresholdRule.dynamic(withNan);
        assertThat(t2).isGreaterThan(largestNormal).isLessThan(5);
    }

    @Test
    void dynamicThresholdOnEqualScoresFlagsNothing() {
        float[] s = new float[50];
        java.util.Arrays.fill(s, 0.7f);
        double t = ThresholdRule.dynamic(s);
        for (float x : s) assertThat(x > t).as("threshold %s", t).isFalse();

        assertThat(ThresholdRule.dynamic(new float[] {Float.NaN, Float.NaN})).isEqualTo(Double.POSITIVE_INFINITY);
    }
}
