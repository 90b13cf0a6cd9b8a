package dev.recur.optim;

import dev.recur.tensor.InvalidOptionException;
import dev.recur.autograd.Variable;
import java.util.List;

/**
 * Stochastic gradient descent, PyTorch's torch.optim.SGD:
 * <pre>
 * g ← g + λ·w                                   (weight decay λ)
 * b ← g on the first step, else μ·b + (1 − τ)·g  (momentum μ, dampening τ)
 * g ← g + μ·b (Nesterov) or b                   (when μ ≠ 0)
 * w ← w − lr·g
 * </pre>
 */
public final class Sgd extends Optimizer {
    private final float momentum, dampening, weightDecay;
    private final boolean nesterov;

    public Sgd(List<Variable> params, float lr) {
        this(params, lr, 0f, 0f, 0f, false);
    }

    public Sgd(List<Variable> params, float lr, float momentum, float dampening, float weightDecay, boolean nesterov) {
        super(params, lr, momentum != 0f ? 1 : 0);
        checkRange("momentum", momentum, 0f, Float.MAX_VALUE);
        checkRange("weight decay", weightDecay, 0f, Float.MAX_VALUE);
        if (nesterov && (momentum <= 0f || dampening != 0f)) {
            throw new InvalidOptionException("Nesterov momentum needs momentum > 0 and dampening 0");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    @Override
    protected void update(float[] w, int wo, float[] g, int go, int so, int n) {
        float lr = lr();
        float[] buf = momentum != 0f ? state(0) : null;
        boolean first = steps() == 1;
        for (int i = 0; i < n; i++) {
            float d = g[go + i] + weightDecay * w[wo + i];
            if (buf != null) {
                float b = first ? d : momentum * buf[so + i] + (1f - dampening) * d;
                buf[so + i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            w[wo + i] -= lr * d;
        }
    }
}
