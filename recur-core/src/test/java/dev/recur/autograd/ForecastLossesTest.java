package dev.recur.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ForecastLossesTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);

    // Printed by tools/reference/forecast_losses_reference.py: PyTorch 1.13 in float64 on these float32 inputs, the mean
    // loss and its gradient by autograd; σ = softplus(s) + 1e-3, ν = 2 + softplus(v).
    private static final float[] GAUSS_MEAN = {0.5f, -1.25f, 3.0f, 0.0f, -2.5f, 10.0f, 0.75f, -0.3f};
    private static final float[] GAUSS_SCALE_RAW = {-6.0f, -3.0f, -1.0f, 0.0f, 0.5f, 2.0f, 4.0f, -5.0f};
    private static final float[] GAUSS_TARGET = {0.5010427f, -1.3095049f, 3.7856543f, 27.765886f, -2.5975077f, 24.895496f, -11.307449f, -1.4573023f};
    private static final double[] GAUSS_LOSS = {1509.6643850728512};
    private static final double[] GAUSS_D_MEAN = {-10.789426820049206, 3.0249672075877334, -0.9943943126615707, -7.203083113292357, 0.012819502825095502, -0.41119812912865966, 0.09330330864509526, 2430.2208190797833};
    private static final double[] GAUSS_D_SCALE_RAW = {0.08092215011692339, -0.05260284632906722, -0.5616111080568734, -143.9716189633795, 0.07899821574508084, -2.483534523231364, -0.24433368409854903, -2439.6574975406616};
    private static final float[] T_MEAN = {0.5f, -1.25f, 3.0f, 0.0f, -2.5f, 10.0f, 0.75f, -0.3f};
    private static final float[] T_SCALE_RAW = {-2.0f, 0.3f, -1.0f, 1.5f, -4.0f, 2.0f, 0.0f, -0.5f};
    private static final float[] T_DOF_RAW = {-8.0f, -2.0f, -0.5f, 0.0f, 1.0f, 3.0f, 10.0f, 200.0f};
    private static final float[] T_TARGET = {0.5383784f, -172.32104f, 3.7856543f, 68.096535f, -2.501915f, 24.895496f, -1.3324416f, 11.576924f};
    private static final double[] T_LOSS = {23.011970226337354};
    private static final double[] T_D_MEAN = {-0.4207456131829153, 0.002284695338515425, -0.39598479585023155, -0.006767857706947913, 0.8471899711374745, -0.0460172566329306, 0.3344293154053414, -1.6146431860666888};
    private static final double[] T_D_SCALE_RAW = {0.10142837290461276, -0.17853727694026675, -0.15926829821697042, -0.16129856809640447, 0.11588013899150275, -0.23198276128527026, -0.4116054376127415, -15.14049965446819};
    private static final double[] T_D_DOF_RAW = {-2.813589344844857e-06, 0.06161658718536927, 0.004196133132213415, 0.15483283390219627, -0.002040573718795955, 0.07533382907824246, 0.0057415701279592505, 0.04062748507569444};
    private static final float[] MAE_PREDICTION = {0.5f, -1.0f, 2.0f, 3.5f, 0.0f, -7.25f};
    private static final float[] MAE_TARGET = {1.0f, -1.5f, 2.25f, -3.5f, 0.125f, 4.0f};
    private static final double[] MAE_LOSS = {3.2708333333333335};
    private static final double[] MAE_D_PREDICTION = {-0.16666666666666666, 0.16666666666666666, -0.16666666666666666, 0.16666666666666666, -0.16666666666666666, -0.16666666666666666};
    private static final float[] PINBALL_LEVELS = {0.1f, 0.5f, 0.9f};
    private static final float[] PINBALL_QUANTILES = {-0.802f, -1.324f, -0.248f, 0.42f, 1.136f, 0.11f, -0.553f, -0.785f, 0.749f, 1.635f, 0.273f, -1.233f, -0.958f, 1.6f, 0.203f, -1.732f, -0.084f, -1.163f};
    private static final float[] PINBALL_TARGET = {0.2f, -0.4f, 1.1f, -1.3f, 0.05f, 2.0f};
    private static final double[] PINBALL_LOSS = {0.712988883023295};
    private static final double[] PINBALL_D_QUANTILES = {-0.005555555638339784, -0.027777777777777776, -0.04999999867545234, 0.049999999917215765, 0.027777777777777776, 0.0055555568801032166, -0.005555555638339784, -0.027777777777777776, -0.04999999867545234, 0.049999999917215765, 0.027777777777777776, 0.0055555568801032166, -0.005555555638339784, 0.027777777777777776, 0.0055555568801032166, -0.005555555638339784, -0.027777777777777776, -0.04999999867545234};

    private static Variable parameter(float[] values, int... shape) {
        return Variable.parameter(Tensor.of(values.clone(), shape));
    }

    private static void assertLoss(Variable loss, double[] expected) {
        assertThat((double) loss.value().item()).as("loss").isCloseTo(expected[0], offset(1e-6 * Math.abs(expected[0])));
    }

    private static void assertGradient(String name, Variable v, double[] expected) {
        float[] actual = v.grad().toArray();
        assertThat(actual).as(name).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("%s[%d]", name, i).isCloseTo(expected[i], offset(1e-6 * Math.abs(expected[i]) + 1e-12));
        }
    }

    @Test
    void gaussianNllMatchesPyTorchsNormalLogProbAndItsGradients() {
        var mean = parameter(GAUSS_MEAN, 2, 4);
        var scaleRaw = parameter(GAUSS_SCALE_RAW, 2, 4);
        var loss = ForecastLosses.gaussianNll(mean, scaleRaw, Tensor.of(GAUSS_TARGET, 2, 4));
        assertLoss(loss, GAUSS_LOSS);
        loss.backward();
        assertGradient("mean", mean, GAUSS_D_MEAN);
        assertGradient("scaleRaw", scaleRaw, GAUSS_D_SCALE_RAW);
    }

    @Test
    void studentTNllMatchesPyTorchsStudentTLogProbAndItsGradients() {
        var mean = parameter(T_MEAN, 2, 4);
        var scaleRaw = parameter(T_SCALE_RAW, 2, 4);
        var dofRaw = parameter(T_DOF_RAW, 2, 4);
        var loss = ForecastLosses.studentTNll(mean, scaleRaw, dofRaw, Tensor.of(T_TARGET, 2, 4));
        assertLoss(loss, T_LOSS);
        loss.backward();
        assertGradient("mean", mean, T_D_MEAN);
        assertGradient("scaleRaw", scaleRaw, T_D_SCALE_RAW);
        assertGradient("dofRaw", dofRaw, T_D_DOF_RAW);
    }

    @Test
    void maeMatchesPyTorchsL1Loss() {
        var prediction = parameter(MAE_PREDICTION, 2, 3);
        var loss = ForecastLosses.mae(prediction, Tensor.of(MAE_TARGET, 2, 3));
        assertLoss(loss, MAE_LOSS);
        loss.backward();
        assertGradient("prediction", prediction, MAE_D_PREDICTION);
    }

    @Test
    void pinballMatchesAQuantileLossWrittenInPyTorch() {
        var quantiles = parameter(PINBALL_QUANTILES, 2, 3, 3);
        var loss = ForecastLosses.pinball(quantiles, Tensor.of(PINBALL_TARGET, 2, 3), PINBALL_LEVELS);
        assertLoss(loss, PINBALL_LOSS);
        loss.backward();
        assertGradient("quantiles", quantiles, PINBALL_D_QUANTILES);
    }

    @Test
    void maeAndPinballMatchFiniteDifferences() {
        var rng = new SplittableRandom(51);
        var prediction = Variable.parameter(Tensor.randn(rng, 3, 4));
        var target = Tensor.randn(rng, 3, 4);
        GradCheck.of(() -> ForecastLosses.mae(prediction, target)).withRespectTo("prediction", prediction).assertMatches(TOL);
        var quantiles = Variable.parameter(Tensor.randn(rng, 2, 3, 5));
        var y = Tensor.randn(rng, 2, 3);
        float[] levels = {0.05f, 0.25f, 0.5f, 0.8f, 0.99f};
        GradCheck.of(() -> ForecastLosses.pinball(quantiles, y, levels)).withRespectTo("quantiles", quantiles).assertMatches(TOL);
    }

    @Test
    void gaussianNllMatchesFiniteDifferencesForModerateAndLargeErrors() {
        // Four elements each, so that the gradients (each divided by N) stand well above the float32 rounding of the loss.
        var rng = new SplittableRandom(52);
        var mean = Variable.parameter(Tensor.randn(rng, 2, 2));
        var scaleRaw = Variable.parameter(Tensor.uniform(rng, -3, 3, 2, 2));
        var near = targets(rng, mean, scaleRaw, 1.5);
        GradCheck.of(() -> ForecastLosses.gaussianNll(mean, scaleRaw, near))
                .withRespectTo("mean", mean).withRespectTo("scaleRaw", scaleRaw).assertMatches(TOL);
        // |z| from 20 to 40 at σ from 0.05 to 0.7: a loss in the hundreds, gradients from 7 to 10⁴.
        var small = Variable.parameter(Tensor.uniform(rng, -3, 0, 2, 2));
        var far = mean.value().copy();
        for (int i = 0; i < far.size(); i++) {
            double z = (20 + 20 * rng.nextDouble()) * (i % 2 == 0 ? 1 : -1);
            far.data()[i] += (float) (z * ForecastLosses.scale(small.value().at(i)));
        }
        GradCheck.of(() -> ForecastLosses.gaussianNll(mean, small, far))
                .withRespectTo("mean", mean).withRespectTo("scaleRaw", small).assertMatches(TOL);
    }

    @Test
    void studentTNllMatchesFiniteDifferencesForSmallModerateAndLargeDof() {
        var rng = new SplittableRandom(53);
        // ν from 2.02 to 2.3, 2.1 to 9, 20 to 60; z about 1, and about 30 for large errors.
        float[][] dofRanges = {{-4, -1.2f}, {-2.2f, 7}, {18, 58}};
        for (float[] range : dofRanges) {
            for (double spread : new double[] {1.5, 30}) {
                var mean = Variable.parameter(Tensor.randn(rng, 2, 2));
                var scaleRaw = Variable.parameter(Tensor.uniform(rng, -3, 3, 2, 2));
                var dofRaw = Variable.parameter(Tensor.uniform(rng, range[0], range[1], 2, 2));
                var target = targets(rng, mean, scaleRaw, spread);
                GradCheck.of(() -> ForecastLosses.studentTNll(mean, scaleRaw, dofRaw, target))
                        .withRespectTo("mean", mean).withRespectTo("scaleRaw", scaleRaw).withRespectTo("dofRaw", dofRaw)
                        .assertMatches(TOL);
            }
        }
    }

    @Test
    void studentTNllApproachesTheGaussianAsDofGrows() {
        // ν ≈ 1e12: lnΓ((ν+1)/2) − lnΓ(ν/2) ≈ 13.5 is the difference of two numbers near 1.3e13, which would cost 3e-3.
        var rng = new SplittableRandom(54);
        var mean = Variable.of(Tensor.randn(rng, 4, 3));
        var scaleRaw = Variable.of(Tensor.uniform(rng, -2, 2, 4, 3));
        var target = targets(rng, mean, scaleRaw, 2);
        var dofRaw = Variable.of(Tensor.full(1e12f, 4, 3));
        float t = ForecastLosses.studentTNll(mean, scaleRaw, dofRaw, target).value().item();
        float normal = ForecastLosses.gaussianNll(mean, scaleRaw, target).value().item();
        assertThat(t).isCloseTo(normal, within(1e-5f));
    }

    @Test
    void knownValuesAtOneScaleFromTheMean() {
        // σ = softplus(0.3) + 0.001 and y = μ + σ: z = 1.
        var mean = Variable.of(Tensor.of(new float[] {2}, 1));
        var scaleRaw = Variable.of(Tensor.of(new float[] {0.3f}, 1));
        double sigma = Math.log1p(Math.exp(0.3f)) + 1e-3f;
        var target = Tensor.of(new float[] {(float) (2 + sigma)}, 1);
        double z = (target.at(0) - 2) / sigma;
        assertThat((double) ForecastLosses.gaussianNll(mean, scaleRaw, target).value().item())
                .isCloseTo(Math.log(sigma) + 0.5 * z * z + 0.5 * Math.log(2 * Math.PI), offset(1e-6));
        // ν = 3 (dofRaw = ln(e − 1)): the t₃ density is 2/(π√3 σ (1 + z²/3)²).
        var dofRaw = Variable.of(Tensor.of(new float[] {(float) Math.log(Math.E - 1)}, 1));
        double nu = 2 + Math.log1p(Math.exp(dofRaw.value().at(0)));
        double density = 2 / (Math.PI * Math.sqrt(3) * sigma * Math.pow(1 + z * z / 3, 2));
        assertThat(nu).isCloseTo(3, offset(1e-6));
        assertThat((double) ForecastLosses.studentTNll(mean, scaleRaw, dofRaw, target).value().item()).isCloseTo(-Math.log(density), offset(3e-6));
        // The median's pinball loss is half the absolute error.
        var q = Variable.of(Tensor.of(new float[] {1, -2, 4, 0.5f}, 4, 1));
        var y = Tensor.of(new float[] {3, -2.5f, 1, 0.5f}, 4);
        assertThat(ForecastLosses.pinball(q, y, new float[] {0.5f}).value().item())
                .isEqualTo(ForecastLosses.mae(q.reshape(4), y).value().item() / 2);
        assertThat(ForecastLosses.pinball(q, y, new float[] {0.9f}).value().item()).isCloseTo((0.9f * 2 + 0.1f * 0.5f + 0.1f * 3) / 4, within(1e-7f));
    }

    @Test
    void scaleAndDofAreTheTransformsTheLossesUse() {
        assertThat(ForecastLosses.scale(0)).isEqualTo((float) (Math.log(2) + 1e-3f));
        assertThat(ForecastLosses.scale(-200)).isEqualTo(ForecastLosses.MIN_SCALE);
        assertThat(ForecastLosses.scale(1000)).isEqualTo(1000.001f);
        assertThat(ForecastLosses.dof(0)).isEqualTo((float) (2 + Math.log(2)));
        assertThat(ForecastLosses.dof(-200)).isEqualTo(2f);
        assertThat(ForecastLosses.dof(3e38f)).isEqualTo(3e38f);
        // A scaleRaw of −200 gives σ = MIN_SCALE, not 0: the loss of an exact forecast is ln 0.001 + ½ ln 2π.
        var exact = ForecastLosses.gaussianNll(Variable.of(Tensor.zeros(1)), Variable.of(Tensor.full(-200, 1)), Tensor.zeros(1));
        assertThat((double) exact.value().item()).isCloseTo(Math.log(1e-3f) + 0.5 * Math.log(2 * Math.PI), offset(1e-6));
    }

    @Test
    void recordsOnlyWhenAnInputRequiresAGradientAndOnlyForThoseInputs() {
        Tape.clear();
        var mean = Variable.of(Tensor.of(new float[] {0.5f, -1}, 2));
        var scaleRaw = Variable.parameter(Tensor.of(new float[] {0.2f, 1}, 2));
        var dofRaw = Variable.of(Tensor.of(new float[] {1, 2}, 2));
        var target = Tensor.of(new float[] {1, 1}, 2);
        ForecastLosses.mae(mean, target);
        ForecastLosses.gaussianNll(mean, dofRaw, target);
        assertThat(Tape.size()).isZero();
        try (var off = Tape.noGrad()) {
            assertThat(ForecastLosses.studentTNll(mean, scaleRaw, dofRaw, target).requiresGrad()).isFalse();
        }
        assertThat(Tape.size()).isZero();
        var loss = ForecastLosses.studentTNll(mean, scaleRaw, dofRaw, target);
        assertThat(Tape.size()).isEqualTo(1);
        loss.mul(3f).backward();   // backward scales by the upstream gradient
        assertThat(mean.grad()).isNull();
        assertThat(dofRaw.grad()).isNull();
        var once = Variable.parameter(scaleRaw.value().copy());
        ForecastLosses.studentTNll(mean, once, dofRaw, target).backward();
        assertThat(scaleRaw.grad().toArray()).containsExactly(new float[] {3 * once.grad().at(0), 3 * once.grad().at(1)}, within(1e-6f));
    }

    @Test
    void refillingTheTargetBeforeBackwardDoesNotChangeTheGradient() {
        var mean = Variable.parameter(Tensor.of(new float[] {0.5f, -1}, 2));
        var scaleRaw = Variable.of(Tensor.zeros(2));
        var target = Tensor.of(new float[] {1, 1}, 2);
        var loss = ForecastLosses.gaussianNll(mean, scaleRaw, target);
        target.fill(-7);
        loss.backward();
        double sigma = Math.log(2) + 1e-3f;
        assertThat(mean.grad().toArray()).containsExactly(new float[] {(float) (-0.5 / (sigma * sigma) / 2), (float) (-2 / (sigma * sigma) / 2)}, within(1e-6f));
    }

    @Test
    void shapeMismatchesNameTheOpAndTheShapes() {
        var a = Variable.of(Tensor.zeros(2, 3));
        assertThatThrownBy(() -> ForecastLosses.mae(a, Tensor.zeros(3, 2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mae: prediction [2, 3] and target [3, 2] differ in shape; expected the same shape");
        assertThatThrownBy(() -> ForecastLosses.gaussianNll(a, Variable.of(Tensor.zeros(6)), Tensor.zeros(2, 3)))
                .hasMessage("gaussian_nll: scaleRaw [6] and target [2, 3] differ in shape; expected the same shape");
        assertThatThrownBy(() -> ForecastLosses.studentTNll(a, a, Variable.of(Tensor.zeros(2, 3, 1)), Tensor.zeros(2, 3)))
                .hasMessage("student_t_nll: dofRaw [2, 3, 1] and target [2, 3] differ in shape; expected the same shape");
        assertThatThrownBy(() -> ForecastLosses.mae(Variable.of(Tensor.zeros(0, 3)), Tensor.zeros(0, 3)))
                .hasMessage("mae: target [0, 3] is empty; the mean of no losses is undefined");
        float[] levels = {0.1f, 0.5f, 0.9f};
        assertThatThrownBy(() -> ForecastLosses.pinball(Variable.of(Tensor.zeros(2, 4, 3)), Tensor.zeros(2, 3), levels))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pinball: quantiles [2, 4, 3] do not fit target [2, 3]; expected [2, 3, K], one quantile per level along a trailing axis");
        assertThatThrownBy(() -> ForecastLosses.pinball(Variable.of(Tensor.zeros(2, 3)), Tensor.zeros(2, 3), levels))
                .hasMessageStartingWith("pinball: quantiles [2, 3] do not fit target [2, 3]; expected [2, 3, K]");
        assertThatThrownBy(() -> ForecastLosses.pinball(Variable.of(Tensor.zeros(2, 3, 2)), Tensor.zeros(2, 3), levels))
                .hasMessage("pinball: 3 levels for quantiles [2, 3, 2]; expected 2, one per quantile along the last axis");
        assertThatThrownBy(() -> ForecastLosses.pinball(Variable.of(Tensor.zeros(2, 3, 3)), Tensor.zeros(2, 3), new float[] {0.1f, 1, 0.5f}))
                .hasMessage("pinball: level 1.0 at position 1 is outside (0, 1)");
    }

    @Test
    void nonFiniteInputsAndLossesAreReported() {
        var mean = Variable.parameter(Tensor.zeros(2, 2));
        var scaleRaw = Variable.of(Tensor.zeros(2, 2));
        var target = Tensor.zeros(2, 2);
        target.set(Float.NaN, 1, 0);
        assertThatThrownBy(() -> ForecastLosses.gaussianNll(mean, scaleRaw, target)).isInstanceOf(NonFiniteException.class)
                .hasMessage("gaussian_nll: target holds NaN at [1, 0]");
        var dofRaw = Variable.of(Tensor.zeros(2, 2));
        dofRaw.value().set(Float.POSITIVE_INFINITY, 0, 1);
        assertThatThrownBy(() -> ForecastLosses.studentTNll(mean.add(1f), scaleRaw, dofRaw, Tensor.zeros(2, 2)))
                .hasMessage("student_t_nll: dofRaw holds +Inf at [0, 1]; it was produced by constant [2, 2]");
        var quantiles = Variable.of(Tensor.zeros(2, 2, 1));
        quantiles.value().set(Float.NEGATIVE_INFINITY, 1, 1, 0);
        assertThatThrownBy(() -> ForecastLosses.pinball(quantiles, Tensor.zeros(2, 2), new float[] {0.5f}))
                .hasMessage("pinball: quantiles hold -Inf at [1, 1, 0]; they were produced by constant [2, 2, 1]");
        // z = 3e38/0.001: finite inputs, a loss beyond float32.
        var far = Tensor.full(3e38f, 2, 2);
        assertThatThrownBy(() -> ForecastLosses.gaussianNll(mean, Variable.of(Tensor.full(-200, 2, 2)), far)).isInstanceOf(NonFiniteException.class)
                .hasMessage("gaussian_nll: the loss is Infinity although its inputs [2, 2] are finite; the errors are too large for float32");
    }

    /** μ + σ·z with z standard normal times {@code spread}, σ from scaleRaw, as a new tensor. */
    private static Tensor targets(SplittableRandom rng, Variable mean, Variable scaleRaw, double spread) {
        var y = mean.value().copy();
        for (int i = 0; i < y.size(); i++) {
            y.data()[i] += (float) (spread * rng.nextGaussian() * ForecastLosses.scale(scaleRaw.value().at(i)));
        }
        return y;
    }
}
