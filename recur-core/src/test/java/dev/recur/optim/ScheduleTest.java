package dev.recur.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Schedules against PyTorch 1.13's schedulers (tools/reference/schedule_reference.py), base rate 0.5. */
class ScheduleTest {
    private static final JsonNode REF = load();

    private static JsonNode load() {
        try (InputStream in = ScheduleTest.class.getResourceAsStream("/reference/schedules.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertFollows(String name, Schedule s, int steps, boolean observe) {
        JsonNode lrs = REF.get("cases").get(name);
        double base = REF.get("base").asDouble();
        for (int t = 0; t < steps; t++) {
            assertThat(base * s.factor(t)).as("%s at step %d", name, t).isCloseTo(lrs.get(t).asDouble(), offset(1e-9));
            if (observe) s.observe(REF.get("metrics").get(t).asDouble());
        }
    }

    @Test
    void plateauOnANegatedMetricBehavesAsReduceLROnPlateauInModeMax() {
        // mode "max", threshold 0.1 relative: 0.54 is not above 0.5·1.1 = 0.55, 0.56 is.
        var plateau = new Plateau(0.5, 0, 0.1, 0, 0);
        plateau.observe(-0.5);
        plateau.observe(-0.54);
        assertThat(plateau.factor(0)).as("0.54 is no improvement on 0.5").isEqualTo(0.5);
        plateau.observe(-0.56);
        assertThat(plateau.state()[1]).as("best").isEqualTo(-0.56);
        assertThat(plateau.factor(0)).isEqualTo(0.5);
    }

    @Test
    void stepMatchesStepLR() {
        assertFollows("step_7_0.5", Schedule.step(7, 0.5), 40, false);
    }

    @Test
    void exponentialMatchesExponentialLR() {
        assertFollows("exponential_0.9", Schedule.exponential(0.9), 40, false);
    }

    @Test
    void cosineWithoutWarmupMatchesCosineAnnealingLR() {
        assertFollows("cosine_30_0.1", Schedule.cosine(0, 30, 0.1), 31, false);
    }

    @Test
    void plateauMatchesReduceLROnPlateau() {
        assertFollows("plateau_0.5_3_cooldown_2", new Plateau(0.5, 3, 1e-4, 2, 0.04), 40, true);
    }

    @Test
    void warmupRisesLinearlyThenDecays() {
        var s = Schedule.cosine(4, 12, 0);
        assertThat(s.factor(0)).isEqualTo(0.25);
        assertThat(s.factor(3)).isEqualTo(1.0);
        assertThat(s.factor(8)).isCloseTo(0.5, offset(1e-12));
        assertThat(s.factor(12)).isCloseTo(0.0, offset(1e-12));
        assertThat(s.factor(100)).isCloseTo(0.0, offset(1e-12));
    }

    @Test
    void cosineOverBudgetFollowsTheSpentFractionAfterWarmup() {
        var s = Schedule.cosineOverBudget(3, 0.1);
        assertThat(s.factor(0, 0.9)).as("warm-up ignores progress").isCloseTo(1 / 3.0, offset(1e-12));
        assertThat(s.factor(2, 0.9)).isEqualTo(1.0);
        assertThat(s.factor(3, 0.0)).isEqualTo(1.0);
        assertThat(s.factor(50, 0.5)).isCloseTo(0.55, offset(1e-12));
        assertThat(s.factor(50, 1.0)).isCloseTo(0.1, offset(1e-12));
        assertThat(s.factor(50, 1.7)).as("past the budget").isCloseTo(0.1, offset(1e-12));
        assertThat(s.factor(50)).as("no budget known").isEqualTo(1.0);
        assertThatThrownBy(() -> Schedule.cosineOverBudget(0, 2)).hasMessageContaining("minimum factor");
    }

    @Test
    void stableDecayHoldsTheRateThenFallsLinearlyInTheLastFraction() {
        var s = Schedule.stableDecay(4, 0.2, 0.05);
        assertThat(s.factor(1, 0.5)).isEqualTo(0.5);
        assertThat(s.factor(10, 0.0)).isEqualTo(1.0);
        assertThat(s.factor(10, 0.79)).isEqualTo(1.0);
        assertThat(s.factor(10, 0.9)).isCloseTo(0.525, offset(1e-12));
        assertThat(s.factor(10, 1.0)).isCloseTo(0.05, offset(1e-12));
        assertThat(s.factor(10, 1.3)).isCloseTo(0.05, offset(1e-12));
        assertThatThrownBy(() -> Schedule.stableDecay(0, 0, 0)).hasMessageContaining("decay fraction");
    }

    @Test
    void plateauStateRoundTrips() {
        var a = new Plateau(0.5, 1, 1e-4, 0, 0);
        for (double m : new double[] {3, 2, 2, 2, 2}) a.observe(m);
        var b = new Plateau(0.5, 1, 1e-4, 0, 0);
        b.restore(a.state());
        a.observe(2);
        b.observe(2);
        assertThat(b.factor(0)).isEqualTo(a.factor(0)).isLessThan(1);
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> Schedule.cosine(10, 10, 0)).hasMessageContaining("warmup");
        assertThatThrownBy(() -> Schedule.step(0, 0.5)).hasMessageContaining("every");
        assertThatThrownBy(() -> new Plateau(1.5, 1, 0, 0, 0)).hasMessageContaining("decay");
    }
}
