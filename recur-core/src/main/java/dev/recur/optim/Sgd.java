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
    private final Momentum kind;

    /** How the momentum buffer b makes the step: b itself, or g + μ·b looking one step ahead (Nesterov). */
    private enum Momentum { CLASSICAL, NESTEROV }

    /** Plain SGD: w ← w − lr·g. */
    public Sgd(List<Variable> params, float lr) {
        this(params, lr, 0f, 0f, 0f);
    }

    /** SGD with classical momentum μ (none when 0), dampening τ and weight decay λ: torch.optim.SGD. */
    public Sgd(List<Variable> params, float lr, float momentum, float dampening, float weightDecay) {
        this(params, lr, momentum, dampening, weightDecay, Momentum.CLASSICAL);
    }

    /** SGD with Nesterov momentum μ &gt; 0, no dampening, and weight decay λ: torch.optim.SGD(nesterov=True). */
    public static Sgd nesterov(List<Variable> params, float lr, float momentum, float weightDecay) {
        return new Sgd(params, lr, momentum, 0f, weightDecay, Momentum.NESTEROV);
    }

    private Sgd(List<Variable> params, float lr, float momentum, float dampening, float weightDecay, Momentum kind) {
        super(params, lr, momentum != 0f ? 1 : 0);
        checkRange("momentum", momentum, 0f, Float.MAX_VALUE);
        checkRange("weight decay", weightDecay, 0f, Float.MAX_VALUE);
        if (kind == Momentum.NESTEROV && momentum <= 0f) {
            throw new InvalidOptionException("Nesterov momentum needs momentum > 0, got " + momentum);
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.kind = kind;
    }

    @Override
    protected void update(float[] w, int wo, float[] g, int go, int so, int n) {
        float lr = lr();
        float[] buf = momentum != 0f ? state(0) : null;
        boolean first = steps() == 1, nesterov = kind == Momentum.NESTEROV;
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
