package dev.recur.autograd;

import dev.recur.tensor.Distribution;
import dev.recur.tensor.Tensor;
import java.util.Arrays;

/**
 * The losses of probabilistic forecasting (DeepAR, GluonTS), each a fused op reduced to the mean over its N elements
 * (N·K terms for the pinball loss). Every argument has the same shape, any rank; the pinball loss's quantiles have
 * one more trailing axis, K. Scale and degrees of freedom come from unconstrained network outputs s and v as in
 * GluonTS's StudentTOutput, so {@link #scale(float)} and {@link #dof(float)} give the same σ and ν at prediction.
 * <pre>
 * σ = softplus(s) + 0.001,   ν = 2 + softplus(v),   softplus(x) = ln(1 + eˣ),   softplus'(x) = sigmoid(x)
 * Every gradient below is per element, times dL/N.
 * mean absolute error, prediction p, target y:
 *   ℓ = |p − y|,   dp = sign(p − y)   (0 where p = y)
 * Gaussian negative log-likelihood, z = (y − μ)/σ:
 *   ℓ = ln σ + z²/2 + ½ ln 2π
 *   dμ = −z/σ,   dσ = (1 − z²)/σ,   ds = dσ · sigmoid(s)
 * Student t negative log-likelihood, z = (y − μ)/σ, w = ln(1 + z²/ν):
 *   ℓ = −lnΓ((ν+1)/2) + lnΓ(ν/2) + ½ ln(πν) + ln σ + (ν+1)/2 · w
 *   dμ = −(ν+1)·z / ((ν + z²)·σ),   dσ = (1 − (ν+1)·z²/(ν + z²)) / σ,   ds = dσ · sigmoid(s)
 *   dν = ½ (ψ(ν/2) − ψ((ν+1)/2) + 1/ν + w − (ν+1)·z²/(ν·(ν + z²))),   dv = dν · sigmoid(v)
 * pinball (quantile) loss, quantiles ŷ [..., K] at levels q_k in (0, 1), e = y − ŷ_k, mean over N·K terms:
 *   ℓ = max(q_k·e, (q_k − 1)·e),   dŷ_k = −q_k if e > 0, 1 − q_k if e < 0, 0 if e = 0   (times dL/(N·K))
 * </pre>
 * Each checks shapes, that its inputs are finite (naming the operation that produced a bad value) and that its
 * result is, throwing {@link NonFiniteException} otherwise, and records itself only when an input requires a
 * gradient. Forward sums in double; the per-element gradients are computed then and saved as float, so backward
 * is one multiply-add per element and the caller may refill the target in between.
 * <pre>
 * var loss = ForecastLosses.studentTNll(mu, scaleRaw, dofRaw, target);   // [B, T] each
 * loss.backward();
 * float sigma = ForecastLosses.scale(scaleRaw.value().at(0)), nu = ForecastLosses.dof(dofRaw.value().at(0));
 * </pre>
 */
public final class ForecastLosses {
    /** The smallest σ: keeps ln σ and z finite when softplus(s) underflows. */
    public static final float MIN_SCALE = 1e-3f;

    private static final double HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

    private ForecastLosses() {}

    /** σ = softplus(raw) + {@link #MIN_SCALE}, the scale the NLL losses give an unconstrained output. */
    public static float scale(float raw) {
        return (float) (softplus(raw) + MIN_SCALE);
    }

    /** ν = 2 + softplus(raw), the Student t degrees of freedom (finite variance) of an unconstrained output. */
    public static float dof(float raw) {
        return (float) (2 + softplus(raw));
    }

    /** The mean absolute error, as PyTorch's {@code F.l1_loss}; the subgradient is 0 where prediction = target. */
    public static Variable mae(Variable prediction, Tensor target) {
        String op = "mae";
        int n = checkInputs(op, target, new String[] {"prediction"}, prediction);
        float[] dPrediction = wantsGrad(prediction) ? new float[n] : null;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double e = (double) prediction.value().at(i) - target.at(i);
            total += Math.abs(e);
            if (dPrediction != null) dPrediction[i] = (float) Math.signum(e) / n;
        }
        return result(op, total / n, target, new Variable[] {prediction}, new float[][] {dPrediction});
    }

    /** The mean Gaussian negative log-likelihood of {@code target} under N(mean, scale(scaleRaw)²). */
    public static Variable gaussianNll(Variable mean, Variable scaleRaw, Tensor target) {
        String op = "gaussian_nll";
        int n = checkInputs(op, target, new String[] {"mean", "scaleRaw"}, mean, scaleRaw);
        float[] dMean = wantsGrad(mean) ? new float[n] : null, dScale = wantsGrad(scaleRaw) ? new float[n] : null;
        Tensor mu = mean.value(), s = scaleRaw.value();
        double total = 0;
        for (int i = 0; i < n; i++) {
            double sigma = softplus(s.at(i)) + MIN_SCALE, z = (target.at(i) - (double) mu.at(i)) / sigma;
            total += Math.log(sigma) + 0.5 * z * z;
            if (dMean != null) dMean[i] = (float) (-z / sigma / n);
            if (dScale != null) dScale[i] = (float) ((1 - z * z) / sigma * sigmoid(s.at(i)) / n);
        }
        return result(op, total / n + HALF_LN_2PI, target, new Variable[] {mean, scaleRaw}, new float[][] {dMean, dScale});
    }

    /** The mean Student t negative log-likelihood of {@code target} with location mean, scale σ and ν degrees of freedom. */
    public static Variable studentTNll(Variable mean, Variable scaleRaw, Variable dofRaw, Tensor target) {
        String op = "student_t_nll";
        int n = checkInputs(op, target, new String[] {"mean", "scaleRaw", "dofRaw"}, mean, scaleRaw, dofRaw);
        float[] dMean = wantsGrad(mean) ? new float[n] : null, dScale = wantsGrad(scaleRaw) ? new float[n] : null;
        float[] dDof = wantsGrad(dofRaw) ? new float[n] : null;
        Tensor mu = mean.value(), s = scaleRaw.value(), v = dofRaw.value();
        double total = 0;
        for (int i = 0; i < n; i++) {
            double sigma = softplus(s.at(i)) + MIN_SCALE, nu = 2 + softplus(v.at(i));
            double z = (target.at(i) - (double) mu.at(i)) / sigma, z2 = z * z, w = Math.log1p(z2 / nu);
            // lnΓ((ν+1)/2) − lnΓ(ν/2) in one piece: it is small while each lnΓ grows as ν ln ν.
            total += -Distribution.lnGammaHalfRatio(0.5 * nu) + 0.5 * Math.log(Math.PI * nu) + Math.log(sigma) + 0.5 * (nu + 1) * w;
            double pull = (nu + 1) / (nu + z2);   // (ν+1)/(ν + z²), the weight heavy tails give a large |z|
            if (dMean != null) dMean[i] = (float) (-pull * z / sigma / n);
            if (dScale != null) dScale[i] = (float) ((1 - pull * z2) / sigma * sigmoid(s.at(i)) / n);
            if (dDof != null) {
                double dNu = 0.5 * (Distribution.digamma(0.5 * nu) - Distribution.digamma(0.5 * (nu + 1)) + 1 / nu + w - pull * z2 / nu);
                dDof[i] = (float) (dNu * sigmoid(v.at(i)) / n);
            }
        }
        return result(op, total / n, target, new Variable[] {mean, scaleRaw, dofRaw}, new float[][] {dMean, dScale, dDof});
    }

    /**
     * The mean pinball (quantile) loss of {@code quantiles} [..., K], one per level, against {@code target} [...],
     * over all N·K terms; {@code levels} holds K values in (0, 1).
     */
    public static Variable pinball(Variable quantiles, Tensor target, float[] levels) {
        String op = "pinball";
        Tensor yHat = quantiles.value();
        if (yHat.rank() != target.rank() + 1 || !Arrays.equals(Arrays.copyOf(yHat.shape(), target.rank()), target.shape())) {
            String leading = target.rank() == 0 ? "" : target.shapeString().substring(1, target.shapeString().length() - 1) + ", ";
            throw new IllegalArgumentException(op + ": quantiles " + yHat.shapeString() + " do not fit target " + target.shapeString()
                    + "; expected [" + leading + "K], one quantile per level along a trailing axis");
        }
        int k = levels.length, n = target.size();
        if (yHat.dim(-1) != k) {
            throw new IllegalArgumentException(op + ": " + k + " levels for quantiles " + yHat.shapeString() + "; expected "
                    + yHat.dim(-1) + ", one per quantile along the last axis");
        }
        for (int j = 0; j < k; j++) {
            if (!(levels[j] > 0 && levels[j] < 1)) {
                throw new IllegalArgumentException(op + ": level " + levels[j] + " at position " + j + " is outside (0, 1)");
            }
        }
        if (n * k == 0) {
            throw new IllegalArgumentException(op + ": quantiles " + yHat.shapeString() + " are empty; the mean of no losses is undefined");
        }
        Losses.requireFinite(op, "quantiles", quantiles);
        requireFinite(op, target);
        float[] dQuantiles = wantsGrad(quantiles) ? new float[n * k] : null;
        double total = 0, terms = (double) n * k;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                double q = levels[j], e = target.at(i) - (double) yHat.at(i * k + j);
                total += e >= 0 ? q * e : (q - 1) * e;
                if (dQuantiles != null) dQuantiles[i * k + j] = (float) ((e > 0 ? -q : e < 0 ? 1 - q : 0) / terms);
            }
        }
        return result(op, total / terms, target, new Variable[] {quantiles}, new float[][] {dQuantiles});
    }

    /** ln(1 + eˣ) without overflow: x + ln(1 + e⁻ˣ) for x > 0. */
    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    static double sigmoid(double x) {
        if (x >= 0) return 1 / (1 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /** Checks that every input has the target's shape, that there is something to average and that all are finite; returns N. */
    private static int checkInputs(String op, Tensor target, String[] names, Variable... inputs) {
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i].value();
            if (!t.sameShape(target)) {
                throw new IllegalArgumentException(op + ": " + names[i] + " " + t.shapeString() + " and target " + target.shapeString()
                        + " differ in shape; expected the same shape");
            }
        }
        if (target.size() == 0) {
            throw new IllegalArgumentException(op + ": target " + target.shapeString() + " is empty; the mean of no losses is undefined");
        }
        for (int i = 0; i < inputs.length; i++) Losses.requireFinite(op, names[i], inputs[i]);
        requireFinite(op, target);
        return target.size();
    }

    private static void requireFinite(String op, Tensor target) {
        int bad = target.firstNonFinite();
        if (bad < 0) return;
        float value = target.at(bad);
        String kind = Float.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
        throw new NonFiniteException(op + ": target holds " + kind + " at " + Arrays.toString(target.unflatten(bad)));
    }

    /** Whether the result will record a gradient for {@code v}: as {@link Variable#result}, per input. */
    private static boolean wantsGrad(Variable v) {
        return v.requiresGrad() && Tape.recording();
    }

    /**
     * The scalar loss, after checking it is finite, recorded on the tape when an input requires a gradient;
     * {@code local[i]} is d loss / d inputs[i] per element (null when not wanted), scaled by dL in backward.
     */
    private static Variable result(String op, double loss, Tensor target, Variable[] inputs, float[][] local) {
        float value = (float) loss;
        if (!Float.isFinite(value)) {
            throw new NonFiniteException(op + ": the loss is " + value + " although its inputs " + target.shapeString()
                    + " are finite; the errors are too large for float32");
        }
        Variable out = Variable.result(Tensor.scalar(value), op + " " + target.shapeString(), inputs);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    float g = out.grad().item();
                    for (int i = 0; i < inputs.length; i++) {
                        if (local[i] == null) continue;
                        Tensor d = inputs[i].gradBuffer();
                        float[] dd = d.data();
                        for (int j = 0; j < local[i].length; j++) dd[d.offset() + j] += g * local[i][j];
                    }
                }
            });
        }
        return out;
    }
}
