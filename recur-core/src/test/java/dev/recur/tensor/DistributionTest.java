package dev.recur.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class DistributionTest {
    private static final double EULER_GAMMA = 0.5772156649015329;
    private static final int DRAWS = 200_000;

    // Printed by tools/reference/forecast_losses_reference.py: mpmath 1.2.1 at 40 digits, each checked against scipy 1.10.
    private static final double[] GAMMA_X = {0.001, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 7.3, 10.0, 33.3, 1000.0, 1000000.0};
    private static final double[] LN_GAMMA = {6.907178885383853, 2.252712651734206, 0.5723649429247001, 0.0, -0.12078223763524522, 0.0, 0.2846828704729192, 7.147892523022248, 12.801827480081469, 82.60372358165495, 5905.220423209181, 12815504.569147611};
    private static final double[] DIGAMMA = {-1000.5755719318103, -10.423754940411076, -1.9635100260214235, -0.5772156649015329, 0.03648997397857652, 0.42278433509846713, 0.7031566406452432, 1.9178203356379862, 2.251752589066721, 3.490467238520243, 6.907255195648812, 13.815510057964191};
    private static final double[] HALF_RATIO_X = {0.25, 3.0, 9.5, 12.0, 10000.0, 1000000000.0, 1000000000000000.0};
    private static final double[] LN_GAMMA_HALF_RATIO = {-1.084741573266782, 0.5078264217871289, 1.1124940592842012, 1.2320396660625599, 4.605157685988097, 10.361632918348205, 17.269388197455342};
    private static final double[] NORMAL_Z = {-37.0, -20.0, -8.0, -3.0, -1.7, -1.0, -0.1, 0.0, 0.7, 1.5, 2.0, 5.0, 9.0};
    private static final double[] NORMAL_CDF = {5.725571222524577e-300, 2.7536241186062337e-89, 6.220960574271784e-16, 0.0013498980316300946, 0.04456546275854304, 0.15865525393145705, 0.460172162722971, 0.5, 0.758036347776927, 0.9331927987311419, 0.9772498680518208, 0.9999997133484281, 1.0};
    private static final double[] NORMAL_P = {1e-300, 1e-20, 1e-05, 0.02, 0.02425, 0.3, 0.5, 0.8, 0.975, 0.999, 0.999999999};
    private static final double[] NORMAL_QUANTILE = {-37.0470962993612, -9.262340089798407, -4.264890793922825, -2.053748910631823, -1.972961051311885, -0.5244005127080408, 0.0, 0.8416212335729144, 1.9599639845400538, 3.090232306167813, 5.9978070196016375};
    private static final double[] T_CDF_T = {-300.0, -6.313751514675, -2.0, -1.0, -0.2, 0.0, 0.5, 1.0, 2.015048372669, 3.0, 1.2, -8.0, -30.0, -5.0, -4.0, -30.0, 25.0};
    private static final double[] T_CDF_NU = {1.0, 1.0, 0.3, 2.5, 4.7, 3.0, 0.5, 1.0, 5.0, 12.25, 150.0, 200.0, 1000.0, 15000.0, 100000.0, 50000.0, 2.0};
    private static final double[] T_CDF = {0.0010610290242204859, 0.050000000000000336, 0.28213484948039136, 0.20203051363913674, 0.42492176735713744, 0.5, 0.6213409635352817, 0.75, 0.9499999999576374, 0.9945777977425443, 0.883984402848775, 4.9396004546653196e-14, 7.687343722021741e-142, 2.898874124116514e-07, 3.169399877859767e-05, 2.708502950140496e-196, 0.9992019148942949};
    private static final double[] T_QUANTILE_P = {0.95, 0.95, 0.95, 0.975, 0.9, 0.99, 0.001, 1e-08, 0.25, 0.6, 0.999999, 1e-12, 0.3};
    private static final double[] T_QUANTILE_NU = {1.0, 5.0, 30.0, 2.5, 4.5, 0.7, 3.3, 1.5, 0.2, 7.77, 50.0, 30000.0, 1000000.0};
    private static final double[] T_QUANTILE = {6.313751514675038, 2.0150483733330233, 1.6972608865939574, 3.5746548420036817, 1.5008853175085577, 135.57150574187764, -8.951595109462504, -112450.05997355733, -7.681389946531792, 0.262178859890538, 5.376673401732293, -7.037444292265746, -0.5244006798602089};

    private static void assertRelative(String what, double actual, double expected, double tolerance) {
        assertThat(actual).as(what).isCloseTo(expected, offset(tolerance * Math.max(Math.abs(expected), Double.MIN_NORMAL)));
    }

    @Test
    void lnGammaAndDigammaMatchMpmath() {
        for (int i = 0; i < GAMMA_X.length; i++) {
            double x = GAMMA_X[i];
            assertThat(Distribution.lnGamma(x)).as("lnΓ(%s)", x).isCloseTo(LN_GAMMA[i], offset(1e-13 * Math.max(1, Math.abs(LN_GAMMA[i]))));
            assertThat(Distribution.digamma(x)).as("ψ(%s)", x).isCloseTo(DIGAMMA[i], offset(1e-13 * Math.max(1, Math.abs(DIGAMMA[i]))));
        }
    }

    @Test
    void lnGammaAndDigammaAtKnownValuesAndRecurrences() {
        assertThat(Distribution.lnGamma(0.5)).isCloseTo(Math.log(Math.sqrt(Math.PI)), offset(1e-14));
        assertThat(Distribution.lnGamma(5)).isCloseTo(Math.log(24), offset(1e-14));
        assertThat(Distribution.digamma(1)).isCloseTo(-EULER_GAMMA, offset(1e-15));
        assertThat(Distribution.digamma(0.5)).isCloseTo(-EULER_GAMMA - 2 * Math.log(2), offset(1e-15));
        // lnΓ(x + 1) = lnΓ(x) + ln x and ψ(x + 1) = ψ(x) + 1/x across the switch to the asymptotic series at 10.
        for (double x = 0.05; x < 30; x *= 1.37) {
            assertThat(Distribution.lnGamma(x + 1)).as("lnΓ(%s + 1)", x).isCloseTo(Distribution.lnGamma(x) + Math.log(x), offset(1e-12));
            assertThat(Distribution.digamma(x + 1)).as("ψ(%s + 1)", x).isCloseTo(Distribution.digamma(x) + 1 / x, offset(1e-12));
        }
    }

    @Test
    void lnGammaHalfRatioKeepsItsDigitsWhereTwoLnGammasCancel() {
        for (int i = 0; i < HALF_RATIO_X.length; i++) {
            assertRelative("ln Γ(x + ½)/Γ(x) at " + HALF_RATIO_X[i], Distribution.lnGammaHalfRatio(HALF_RATIO_X[i]), LN_GAMMA_HALF_RATIO[i], 1e-13);
        }
    }

    @Test
    void normalCdfMatchesMpmathIncludingTheFarLowerTail() {
        for (int i = 0; i < NORMAL_Z.length; i++) assertRelative("Φ(" + NORMAL_Z[i] + ")", Distribution.normalCdf(NORMAL_Z[i]), NORMAL_CDF[i], 1e-13);
        assertThat(Distribution.normalCdf(Double.NEGATIVE_INFINITY)).isZero();
        assertThat(Distribution.normalCdf(Double.POSITIVE_INFINITY)).isEqualTo(1);
    }

    @Test
    void normalQuantileMatchesMpmathAndInvertsTheCdf() {
        assertThat(Distribution.normalQuantile(0.975)).isCloseTo(1.959963984540054, offset(1e-12));
        for (int i = 0; i < NORMAL_P.length; i++) {
            assertThat(Distribution.normalQuantile(NORMAL_P[i])).as("Φ⁻¹(%s)", NORMAL_P[i]).isCloseTo(NORMAL_QUANTILE[i], offset(1e-13 * Math.max(1, Math.abs(NORMAL_QUANTILE[i]))));
        }
        for (double p = 1e-15; p < 0.5; p *= 3.7) {
            assertRelative("Φ(Φ⁻¹(" + p + "))", Distribution.normalCdf(Distribution.normalQuantile(p)), p, 1e-13);
            assertThat(Distribution.normalQuantile(1 - p)).isEqualTo(-Distribution.normalQuantile(1 - (1 - p)));
        }
        assertThat(Distribution.normalQuantile(0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Distribution.normalQuantile(1)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void studentTCdfMatchesMpmathAndTheClosedFormsForOneAndTwoDegrees() {
        for (int i = 0; i < T_CDF_T.length; i++) {
            assertRelative("T(" + T_CDF_T[i] + "; ν=" + T_CDF_NU[i] + ")", Distribution.studentTCdf(T_CDF_T[i], T_CDF_NU[i]), T_CDF[i], 1e-12);
        }
        // ν = 1 is the Cauchy distribution, atan(1/|t|)/π below 0; ν = 2 has 1/(√(2 + t²)·(√(2 + t²) + |t|)). Above 0, 1 − those.
        for (double magnitude : new double[] {1e-3, 0.1, 0.7, 1, 2.5, 10, 1e3, 1e6}) {
            double cauchy = Math.atan(1 / magnitude) / Math.PI, root = Math.sqrt(2 + magnitude * magnitude), two = 1 / (root * (root + magnitude));
            assertRelative("ν=1 at -" + magnitude, Distribution.studentTCdf(-magnitude, 1), cauchy, 1e-13);
            assertRelative("ν=1 at " + magnitude, Distribution.studentTCdf(magnitude, 1), 1 - cauchy, 1e-14);
            assertRelative("ν=2 at -" + magnitude, Distribution.studentTCdf(-magnitude, 2), two, 1e-13);
            assertRelative("ν=2 at " + magnitude, Distribution.studentTCdf(magnitude, 2), 1 - two, 1e-14);
        }
        assertThat(Distribution.studentTCdf(Double.NEGATIVE_INFINITY, 3)).isZero();
        assertThat(Distribution.studentTCdf(Double.POSITIVE_INFINITY, 3)).isEqualTo(1);
    }

    @Test
    void studentTQuantileMatchesMpmathAndPublishedTables() {
        for (int i = 0; i < T_QUANTILE_P.length; i++) {
            assertRelative("T⁻¹(" + T_QUANTILE_P[i] + "; ν=" + T_QUANTILE_NU[i] + ")",
                    Distribution.studentTQuantile(T_QUANTILE_P[i], T_QUANTILE_NU[i]), T_QUANTILE[i], 1e-11);
        }
        // Table values (one-sided 95%); the ν = 5 entry is scipy's, 3.3e-10 below the exact 2.0150483733330242.
        assertRelative("t_0.95,1", Distribution.studentTQuantile(0.95, 1), 6.313751514675, 1e-9);
        assertRelative("t_0.95,5", Distribution.studentTQuantile(0.95, 5), 2.015048372669, 1e-9);
        assertRelative("t_0.95,30", Distribution.studentTQuantile(0.95, 30), 1.697260886, 1e-9);
        assertRelative("t_0.05,30", Distribution.studentTQuantile(0.05, 30), -1.697260886, 1e-9);
        assertRelative("ν → ∞ is normal", Distribution.studentTQuantile(0.975, 1e10), 1.959963984540054, 1e-9);
        assertThat(Distribution.studentTQuantile(0.5, 3.7)).isZero();
        assertThat(Distribution.studentTQuantile(0, 3.7)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Distribution.studentTQuantile(1, 3.7)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void studentTCdfOfTheQuantileGivesBackPForNonIntegerDegrees() {
        double[] nus = {0.15, 0.5, 1.3, 2.01, 3.7, 9.4, 47.5, 1234.5, 3e5};
        double[] ps = {1e-100, 1e-12, 1e-4, 0.01, 0.1, 0.3, 0.45, 0.5 - 1e-6, 0.55, 0.8, 0.97, 0.999, 1 - 1e-9};
        for (double nu : nus) {
            for (double p : ps) {
                double t = Distribution.studentTQuantile(p, nu);
                if (Double.isInfinite(t)) continue;   // ν = 0.15 puts p = 1e-100 beyond 1e308
                double tail = p < 0.5 ? Distribution.studentTCdf(t, nu) : 1 - Distribution.studentTCdf(t, nu);
                assertRelative("T(T⁻¹(" + p + "; ν=" + nu + "))", tail, Math.min(p, 1 - p), 1e-10);
            }
        }
    }

    @Test
    void normalSamplesHaveTheRightMeanVarianceAndQuantiles() {
        var rng = new SplittableRandom(2024);
        double mean = 3, scale = 2;
        double[] x = draws(() -> Distribution.sampleNormal(rng, mean, scale));
        assertMoments(x, mean, scale * scale, 3);   // kurtosis 3
        for (double p : new double[] {0.05, 0.25, 0.5, 0.9}) assertBelow(x, mean + scale * Distribution.normalQuantile(p), p);
    }

    @Test
    void studentTSamplesWithFiveDegreesHaveVarianceNuOverNuMinusTwo() {
        var rng = new SplittableRandom(2025);
        double mean = -1, scale = 0.5, nu = 5;
        double[] x = draws(() -> Distribution.sampleStudentT(rng, mean, scale, nu));
        assertMoments(x, mean, scale * scale * nu / (nu - 2), 3 + 6 / (nu - 4));   // excess kurtosis 6/(ν − 4)
        for (double p : new double[] {0.01, 0.1, 0.5, 0.75, 0.99}) assertBelow(x, mean + scale * Distribution.studentTQuantile(p, nu), p);
    }

    @Test
    void heavyTailedStudentTSamplesFollowTheCdfWhereGammaShapeIsBelowOne() {
        // ν/2 < 1: the Gamma draw takes the Marsaglia-Tsang boost, Gamma(a + 1)·u^(1/a).
        for (double nu : new double[] {0.7, 1, 1.5}) {
            var rng = new SplittableRandom(7 + (long) (10 * nu));
            double[] x = draws(() -> Distribution.sampleStudentT(rng, 2, 3, nu));
            for (double p : new double[] {0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98}) assertBelow(x, 2 + 3 * Distribution.studentTQuantile(p, nu), p);
        }
    }

    @Test
    void gammaSamplesHaveMeanAndVarianceEqualToTheShape() {
        var rng = new SplittableRandom(2026);
        for (double shape : new double[] {0.3, 1, 2.5, 10}) {
            double[] x = draws(() -> Distribution.sampleGamma(rng, shape));
            assertMoments(x, shape, shape, 3 + 6 / shape);   // excess kurtosis 6/shape
        }
    }

    @Test
    void argumentsOutsideTheDomainAreRejectedByName() {
        assertThatThrownBy(() -> Distribution.lnGamma(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lnGamma: x is 0.0; expected a positive finite number");
        assertThatThrownBy(() -> Distribution.digamma(-1.5)).hasMessage("digamma: x is -1.5; expected a positive finite number");
        assertThatThrownBy(() -> Distribution.studentTCdf(1, 0)).hasMessage("studentTCdf: nu is 0.0; expected a positive finite number");
        assertThatThrownBy(() -> Distribution.studentTQuantile(Double.NaN, 3)).hasMessage("studentTQuantile: p is NaN; expected a probability in [0, 1]");
        assertThatThrownBy(() -> Distribution.normalQuantile(1.5)).hasMessage("normalQuantile: p is 1.5; expected a probability in [0, 1]");
        assertThatThrownBy(() -> Distribution.sampleStudentT(new SplittableRandom(1), 0, 1, -2)).isInstanceOf(IllegalArgumentException.class);
    }

    private static double[] draws(DoubleSupplier draw) {
        double[] x = new double[DRAWS];
        for (int i = 0; i < DRAWS; i++) x[i] = draw.getAsDouble();
        return x;
    }

    /** Sample mean and variance within 4.5 standard errors: σ/√n, and σ²·√((κ − 1)/n) for kurtosis κ. */
    private static void assertMoments(double[] x, double mean, double variance, double kurtosis) {
        double m = Arrays.stream(x).average().orElseThrow();
        double v = Arrays.stream(x).map(d -> (d - m) * (d - m)).sum() / (x.length - 1);
        assertThat(m).as("mean").isCloseTo(mean, offset(4.5 * Math.sqrt(variance / x.length)));
        assertThat(v).as("variance").isCloseTo(variance, offset(4.5 * variance * Math.sqrt((kurtosis - 1) / x.length)));
    }

    /** The fraction of draws below the p-quantile is p within 4.5 binomial standard errors. */
    private static void assertBelow(double[] x, double quantile, double p) {
        double below = (double) Arrays.stream(x).filter(d -> d < quantile).count() / x.length;
        assertThat(below).as("fraction below the %s-quantile %s", p, quantile).isCloseTo(p, offset(4.5 * Math.sqrt(p * (1 - p) / x.length)));
    }
}
