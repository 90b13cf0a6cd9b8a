package dev.recur.nn;

import dev.recur.autograd.Transpose;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * An affine map y = x·Wᵀ + b over the last axis, as PyTorch's nn.Linear: x [..., in] → y [..., out], weight
 * [out, in], bias [out], both initialised from U(−1/√in, 1/√in).
 * <pre>
 * var proj = new Linear(512, 96, rng);     // Linear(512 -> 96)
 * var y = proj.forward(h);                 // [T, B, 512] → [T, B, 96]
 * </pre>
 */
public final class Linear extends Module {
    /** Its weight matrices are products' weights (quantized files store them in fewer bits). */
    @Override
    protected boolean isProductWeight(String name) {
        return name.equals("weight");
    }

    private final int inFeatures;
    private final int outFeatures;
    private final Variable weight;
    private final Variable bias;   // null without bias

    public Linear(int inFeatures, int outFeatures, RandomGenerator rng) {
        this(inFeatures, outFeatures, true, rng);
    }

    /** A linear map without the bias, y = x·Wᵀ (PyTorch's {@code bias=False}). */
    public static Linear withoutBias(int inFeatures, int outFeatures, RandomGenerator rng) {
        return new Linear(inFeatures, outFeatures, false, rng);
    }

    private Linear(int inFeatures, int outFeatures, boolean withBias, RandomGenerator rng) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: inFeatures and outFeatures must be positive, got " + inFeatures + " and " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        float bound = (float) (1 / Math.sqrt(inFeatures));
        this.weight = register("weight", Tensor.uniform(rng, -bound, bound, outFeatures, inFeatures));
        this.bias = withBias ? register("bias", Tensor.uniform(rng, -bound, bound, outFeatures)) : null;
    }

    /** x [..., in] → [..., out]. */
    public Variable forward(Variable x) {
        int[] shape = x.shape();
        if (shape.length == 0 || shape[shape.length - 1] != inFeatures) {
            throw new IllegalArgumentException(this + ": input has " + (shape.length == 0 ? "no" : shape[shape.length - 1])
                    + " features (shape " + x.value().shapeString() + "); expected " + inFeatures);
        }
        Variable y = x.matmul(weight, Transpose.NONE, Transpose.TRANSPOSED);
        return bias == null ? y : y.add(bias);
    }

    public Variable weight() {
        return weight;
    }

    /** The bias, or null for a layer made {@link #withoutBias}. */
    public Variable bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "Linear(" + inFeatures + " -> " + outFeatures + (bias == null ? ", no bias" : "") + ")";
    }
}
