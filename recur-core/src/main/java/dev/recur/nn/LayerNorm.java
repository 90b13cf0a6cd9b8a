package dev.recur.nn;

import dev.recur.autograd.Functional;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;

/**
 * Layer normalisation over the last axis, as PyTorch's nn.LayerNorm with one normalised dimension:
 * y = (x − μ)/√(σ² + ε) ⊙ weight + bias, with μ and the biased σ² per row of x [..., F]; weight [F] starts at 1,
 * bias [F] at 0.
 * <pre>
 * var norm = new LayerNorm(64);    // LayerNorm(64, eps=1.0E-5)
 * var y = norm.forward(x);         // [..., 64]
 * </pre>
 */
public final class LayerNorm extends Module {
    private final int features;
    private final float eps;
    private final Variable weight;
    private final Variable bias;

    /** With PyTorch's default eps = 1e-5. */
    public LayerNorm(int features) {
        this(features, 1e-5f);
    }

    public LayerNorm(int features, float eps) {
        if (features <= 0) throw new IllegalArgumentException("LayerNorm: features must be positive, got " + features);
        if (!(eps > 0)) throw new IllegalArgumentException("LayerNorm: eps must be positive, got " + eps);
        this.features = features;
        this.eps = eps;
        this.weight = register("weight", Tensor.full(1f, features));
        this.bias = register("bias", Tensor.zeros(features));
    }

    /** x [..., F] → [..., F]. */
    public Variable forward(Variable x) {
        int[] shape = x.shape();
        if (shape.length == 0 || shape[shape.length - 1] != features) {
            throw new IllegalArgumentException(this + ": input has " + (shape.length == 0 ? "no" : shape[shape.length - 1])
                    + " features (shape " + x.value().shapeString() + "); expected " + features);
        }
        return Functional.layerNorm(x, weight, bias, eps);
    }

    public Variable weight() {
        return weight;
    }

    public Variable bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "LayerNorm(" + features + ", eps=" + eps + ")";
    }
}
