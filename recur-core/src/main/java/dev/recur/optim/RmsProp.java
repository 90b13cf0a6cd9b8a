package dev.recur.optim;

import dev.recur.autograd.Variable;
import java.util.List;

/**
 * RMSprop, PyTorch's torch.optim.RMSprop (not centered):
 * <pre>
 * g ← g + λ·w        s ← α·s + (1 − α)·g²        d ← g / (√s + ε)
 * b ← μ·b + d, w ← w − lr·b   (momentum μ > 0)   or   w ← w − lr·d
 * </pre>
 * Defaults as PyTorch: α = 0.99, ε = 1e-8.
 */
public final class RmsProp extends Optimizer {
    private final float alpha, eps, weightDecay, momentum;

    public RmsProp(List<Variable> params, float lr) {
        this(params, lr, 0.99f, 1e-8f, 0f, 0f);
    }

    public RmsProp(List<Variable> params, float lr, float alpha, float eps, float weightDecay, float momentum) {
        super(params, lr, 2);
        checkRange("alpha", alpha, 0f, 1.0000001f);
        checkRange("eps", eps, 0f, Float.MAX_VALUE);
        checkRange("weight decay", weightDecay, 0f, Float.MAX_VALUE);
        checkRange("momentum", momentum, 0f, Float.MAX_VALUE);
        this.alpha = alpha;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.momentum = momentum;
    }

    @Override
    protected void update(float[] w, int wo, float[] g, int go, int so, int n) {
        float lr = lr();
        float[] sq = state(0), buf = state(1);
        for (int i = 0; i < n; i++) {
            float gi = g[go + i] + weightDecay * w[wo + i];
            float s = alpha * sq[so + i] + (1f - alpha) * gi * gi;
            sq[so + i] = s;
            float d = gi / ((float) Math.sqrt(s) + eps);
            if (momentum > 0f) {
                float b = momentum * buf[so + i] + d;
                buf[so + i] = b;
                d = b;
            }
            w[wo + i] -= lr * d;
        }
    }
}
