package dev.recur.optim;

import dev.recur.tensor.InvalidOptionException;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.List;

/** Gradient clipping, as PyTorch's torch.nn.utils.clip_grad_norm_ and clip_grad_value_. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)), ‖g‖ the L2 norm of all gradients together, and
     * returns ‖g‖ as it was before clipping (NaN or infinite when a gradient is; the gradients are then left as they are).
     */
    public static double byNorm(List<Variable> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new InvalidOptionException("the clipping norm must be > 0, got " + maxNorm);
        double norm = norm(params);
        float coef = (float) Math.min(1.0, maxNorm / (norm + 1e-6));
        if (coef < 1f && Double.isFinite(norm)) {   // a non-finite norm is left for the caller to diagnose
            for (Variable p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                float[] d = g.data();
                for (int i = g.offset(), end = g.offset() + g.size(); i < end; i++) d[i] *= coef;
            }
        }
        return norm;
    }

    /** The L2 norm of all gradients together (parameters without a gradient count as zero). */
    public static double norm(List<Variable> params) {
        double sq = 0;
        for (Variable p : params) {
            Tensor g = p.grad();
            if (g != null) sq += squaredNorm(g);
        }
        return Math.sqrt(sq);
    }

    /** Σ g², accumulated in double. */
    public static double squaredNorm(Tensor g) {
        float[] d = g.data();
        double sq = 0;
        for (int i = g.offset(), end = g.offset() + g.size(); i < end; i++) sq += (double) d[i] * d[i];
        return sq;
    }

    /** Clamps every gradient element to [−limit, limit]. */
    public static void byValue(List<Variable> params, float limit) {
        if (!(limit > 0)) throw new InvalidOptionException("the clipping value must be > 0, got " + limit);
        for (Variable p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            float[] d = g.data();
            for (int i = g.offset(), end = g.offset() + g.size(); i < end; i++) d[i] = Math.max(-limit, Math.min(limit, d[i]));
        }
    }
}
