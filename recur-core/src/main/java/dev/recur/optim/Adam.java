package dev.recur.optim;

import dev.recur.autograd.Variable;
import java.util.List;

/**
 * Adam and AdamW, PyTorch's torch.optim.Adam / AdamW:
 * <pre>
 * g ← g + λ·w   (Adam's L2 weight decay)        w ← w·(1 − lr·λ)   (AdamW's decoupled decay)
 * m ← β₁·m + (1 − β₁)·g                         v ← β₂·v + (1 − β₂)·g²
 * w ← w − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * Defaults as PyTorch: β = (0.9, 0.999), ε = 1e-8, λ = 0 for Adam and 0.01 for AdamW.
 */
public final class Adam extends Optimizer {
    private final float beta1, beta2, eps, weightDecay;
    private final Decay decay;

    /** Where the weight decay λ enters: the gradient (Adam) or the weights themselves (AdamW). */
    private enum Decay { L2, DECOUPLED }

    /** Adam with PyTorch's defaults. */
    public Adam(List<Variable> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, 0f);
    }

    /** Adam, λ·w added to the gradient: torch.optim.Adam. */
    public Adam(List<Variable> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        this(params, lr, beta1, beta2, eps, weightDecay, Decay.L2);
    }

    /** AdamW (decoupled weight decay) with PyTorch's defaults. */
    public static Adam adamW(List<Variable> params, float lr, float weightDecay) {
        return adamW(params, lr, 0.9f, 0.999f, 1e-8f, weightDecay);
    }

    /** AdamW, the weights shrunk by lr·λ before the step instead: torch.optim.AdamW. */
    public static Adam adamW(List<Variable> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        return new Adam(params, lr, beta1, beta2, eps, weightDecay, Decay.DECOUPLED);
    }

    private Adam(List<Variable> params, float lr, float beta1, float beta2, float eps, float weightDecay, Decay decay) {
        super(params, lr, 2);
        checkRange("beta1", beta1, 0f, 1f);
        checkRange("beta2", beta2, 0f, 1f);
        checkRange("eps", eps, 0f, Float.MAX_VALUE);
        checkRange("weight decay", weightDecay, 0f, Float.MAX_VALUE);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decay = decay;
    }

    @Override
    protected void update(float[] w, int wo, float[] g, int go, int so, int n) {
        float lr = lr();
        float[] m = state(0), v = state(1);
        double t = steps();
        float bias1 = (float) (1 - Math.pow(beta1, t));
        float bias2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float stepSize = lr / bias1;
        float shrink = decay == Decay.DECOUPLED ? 1f - lr * weightDecay : 1f;
        float l2 = decay == Decay.L2 ? weightDecay : 0f;
        for (int i = 0; i < n; i++) {
            float wi = w[wo + i] * shrink;
            float gi = g[go + i] + l2 * wi;
            float mi = beta1 * m[so + i] + (1f - beta1) * gi;
            float vi = beta2 * v[so + i] + (1f - beta2) * gi * gi;
            m[so + i] = mi;
            v[so + i] = vi;
            w[wo + i] = wi - stepSize * mi / ((float) Math.sqrt(vi) / bias2Sqrt + eps);
        }
    }
}
