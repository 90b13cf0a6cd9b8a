package dev.recur.optim;

import dev.recur.autograd.Variable;
import java.util.List;

/**
 * Adagrad, PyTorch's torch.optim.Adagrad:
 * <pre>
 * g ← g + λ·w        s ← s + g²        w ← w − lr / (1 + (t − 1)·δ) · g / (√s + ε)
 * </pre>
 * Defaults as PyTorch: learning-rate decay δ = 0, ε = 1e-10, initial accumulator 0.
 */
public final class Adagrad extends Optimizer {
    private final float lrDecay, eps, weightDecay;

    public Adagrad(List<Variable> params, float lr) {
        this(params, lr, 0f, 1e-10f, 0f);
    }

    public Adagrad(List<Variable> params, float lr, float lrDecay, float eps, float weightDecay) {
        super(params, lr, 1);
        checkRange("lr decay", lrDecay, 0f, Float.MAX_VALUE);
        checkRange("eps", eps, 0f, Float.MAX_VALUE);
        checkRange("weight decay", weightDecay, 0f, Float.MAX_VALUE);
        this.lrDecay = lrDecay;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    @Override
    protected void update(float[] w, int wo, float[] g, int go, int so, int n) {
        float clr = lr() / (1f + (steps() - 1) * lrDecay);
        float[] sum = state(0);
        for (int i = 0; i < n; i++) {
            float gi = g[go + i] + weightDecay * w[wo + i];
            float s = sum[so + i] + gi * gi;
            sum[so + i] = s;
            w[wo + i] -= clr * gi / ((float) Math.sqrt(s) + eps);
        }
    }
}
