package dev.recur.autograd;

import dev.recur.tensor.Tensor;
import java.util.Arrays;

/**
 * Losses reduced to a scalar mean, as PyTorch's {@code F.cross_entropy(..., ignore_index, reduction='mean')}
 * and {@code F.mse_loss}. Each checks that its input is finite (naming the operation that produced a bad value)
 * and that its result is, and throws {@link NonFiniteException} otherwise.
 * <pre>
 * cross entropy, logits x [..., V] as rows r, targets t_r, C = { r : t_r ≠ ignoreIndex }:
 *   L = (1/|C|) Σ_{r∈C} (lse_r − x[r, t_r]),   lse_r = log Σ_j e^(x[r, j])
 *   dx[r, j] = dL/|C| · (e^(x[r, j] − lse_r) − [j = t_r])  for r ∈ C, 0 for ignored rows
 * mean squared error, prediction p and target y of the same shape, n elements:
 *   L = (1/n) Σ (p − y)²,   dp = dL · 2(p − y)/n,   dy = −dp
 * </pre>
 */
final class Losses {
    private Losses() {}

    /**
     * The fused log-softmax and negative log-likelihood; only m_r and log Σ_j e^(x[r, j] − m_r) [rows] and a copy
     * of the targets are saved for backward. When every target is ignored the loss is 0 and nothing is recorded,
     * so the logits get no gradient (PyTorch returns NaN, 0/0).
     */
    static Variable crossEntropy(Variable logits, int[] targets, int ignoreIndex) {
        return crossEntropy(logits, targets, ignoreIndex, null);
    }

    /**
     * As above with a weight per class (null: all 1), as PyTorch's {@code weight=}: row r counts w[t_r] times, and
     * the mean divides by Σ_r w[t_r], so L = Σ_r w[t_r]·(lse_r − x[r, t_r]) / Σ_r w[t_r].
     */
    static Variable crossEntropy(Variable logits, int[] targets, int ignoreIndex, float[] classWeights) {
        return crossEntropy(logits, targets, ignoreIndex, classWeights, 0f);
    }

    /**
     * As above with label smoothing ε (PyTorch's {@code label_smoothing=}, without class weights): the target
     * distribution puts 1 − ε on the target and ε/V on every class, so
     * L_r = lse_r − (1 − ε)·x[r, t_r] − (ε/V)·Σ_j x[r, j] and dx[r, j] = dL/|C| · (p[r, j] − (1 − ε)[j = t_r] − ε/V).
     */
    static Variable crossEntropy(Variable logits, int[] targets, int ignoreIndex, float[] classWeights, float smoothing) {
        if (!(smoothing >= 0 && smoothing < 1)) throw new IllegalArgumentException("cross_entropy: label smoothing must be in [0, 1), got " + smoothing);
        if (smoothing > 0 && classWeights != null) throw new IllegalArgumentException("cross_entropy: label smoothing with class weights is not supported");
        Tensor x = logits.value();
        if (x.rank() == 0) throw new IllegalArgumentException("cross_entropy: logits are a scalar; expected [..., V]");
        int v = x.dim(-1), rows = Tensor.sizeOf(Arrays.copyOf(x.shape(), x.rank() - 1));
        if (targets.length != rows) {
            throw new IllegalArgumentException("cross_entropy: " + targets.length + " targets for logits " + x.shapeString()
                    + "; expected " + rows + ", one per row of [..., V]");
        }
        if (classWeights != null && classWeights.length != v) {
            throw new IllegalArgumentException("cross_entropy: " + classWeights.length + " class weights for " + v + " classes");
        }
        int count = 0;
        double weightSum = 0;
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t == ignoreIndex) continue;
            if (t < 0 || t >= v) {
                throw new IllegalArgumentException("cross_entropy: target " + t + " at position " + r + " is outside [0, " + v
                        + ") for logits " + x.shapeString() + ", and is not the ignore index " + ignoreIndex);
            }
            count++;
            weightSum += classWeights == null ? 1 : classWeights[t];
        }
        requireFinite("cross_entropy", "logits", logits);

        // Per row: the maximum m_r and log Σ_j e^(x[r, j] − m_r), so lse_r − x[r, t] = log Σ − (x[r, t] − m_r).
        float[] xd = x.data(), max = new float[rows], logSum = new float[rows];
        double total = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] == ignoreIndex) continue;
            int row = x.offset() + r * v;
            max[r] = Softmax.max(xd, row, v);
            double s = Softmax.sumExp(xd, row, v, max[r]);
            logSum[r] = (float) Math.log(s);
            total += (classWeights == null ? 1 : classWeights[targets[r]]) * (Math.log(s) - (xd[row + targets[r]] - max[r]));
            if (smoothing > 0) {
                double mean = 0;
                for (int j = 0; j < v; j++) mean += xd[row + j];
                mean /= v;
                // (1 − ε)(lse − x_t) + ε(lse − mean_j x_j) = (lse − x_t) + ε(x_t − mean_j x_j)
                total += smoothing * (xd[row + targets[r]] - mean);
            }
        }
        float loss = count == 0 ? 0f : (float) (total / weightSum);
        if (!Float.isFinite(loss)) {
            throw new NonFiniteException("cross_entropy: the loss is " + loss + " although the logits " + x.shapeString()
                    + " are finite; they are too large for float32 (produced by " + logits.origin() + ")");
        }
        Variable out = Variable.result(Tensor.scalar(loss), "cross_entropy " + x.shapeString(), logits);
        if (out.requiresGrad() && count > 0) {
            double n = weightSum;
            int classes = v;
            int[] saved = targets.clone();   // the caller may refill its array before backward
            float[] weights = classWeights == null ? null : classWeights.clone();
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    float g0 = (float) (out.grad().item() / n);
                    Tensor dx = logits.gradBuffer();
                    float[] d = dx.data();
                    for (int r = 0; r < saved.length; r++) {
                        if (saved[r] == ignoreIndex) continue;
                        float g = weights == null ? g0 : g0 * weights[saved[r]];
                        int row = x.offset() + r * classes, drow = dx.offset() + r * classes;
                        float spread = g * smoothing / classes;
                        for (int j = 0; j < classes; j++) d[drow + j] += g * (float) Math.exp((xd[row + j] - max[r]) - logSum[r]) - spread;
                        d[drow + saved[r]] -= g * (1 - smoothing);
                    }
                }
            });
        }
        return out;
    }

    static Variable mse(Variable prediction, Variable target) {
        Tensor p = prediction.value(), y = target.value();
        if (!p.sameShape(y)) {
            throw new IllegalArgumentException("mse: prediction " + p.shapeString() + " and target " + y.shapeString()
                    + " differ in shape; expected the same shape");
        }
        if (p.size() == 0) throw new IllegalArgumentException("mse: prediction " + p.shapeString() + " is empty; the mean of no errors is undefined");
        requireFinite("mse", "prediction", prediction);
        requireFinite("mse", "target", target);
        int n = p.size();
        float[] pd = p.data(), yd = y.data();
        double total = 0;
        for (int i = 0; i < n; i++) {
            double e = pd[p.offset() + i] - yd[y.offset() + i];
            total += e * e;
        }
        float loss = (float) (total / n);
        if (!Float.isFinite(loss)) {
            throw new NonFiniteException("mse: the loss is " + loss + " although prediction and target " + p.shapeString()
                    + " are finite; their differences are too large for float32");
        }
        Variable out = Variable.result(Tensor.scalar(loss), "mse " + p.shapeString(), prediction, target);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    float g = 2 * out.grad().item() / n;
                    float[] dp = prediction.requiresGrad() ? prediction.gradBuffer().data() : null;
                    float[] dy = target.requiresGrad() ? target.gradBuffer().data() : null;
                    int po = dp == null ? 0 : prediction.grad().offset(), yo = dy == null ? 0 : target.grad().offset();
                    for (int i = 0; i < n; i++) {
                        float e = g * (pd[p.offset() + i] - yd[y.offset() + i]);
                        if (dp != null) dp[po + i] += e;
                        if (dy != null) dy[yo + i] -= e;
                    }
                }
            });
        }
        return out;
    }

    /**
     * Throws when v holds a NaN or an infinity, naming the loss, what v is, the first bad element and the
     * operation that produced v, e.g. "cross_entropy: logits hold NaN at [3, 7]; they were produced by matmul ...".
     */
    static void requireFinite(String op, String what, Variable v) {
        Tensor t = v.value();
        int bad = t.firstNonFinite();
        if (bad < 0) return;
        float value = t.at(bad);
        String kind = Float.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
        boolean plural = what.endsWith("s");
        throw new NonFiniteException(op + ": " + what + (plural ? " hold " : " holds ") + kind + " at "
                + Arrays.toString(t.unflatten(bad)) + "; " + (plural ? "they were" : "it was") + " produced by " + v.origin());
    }
}
