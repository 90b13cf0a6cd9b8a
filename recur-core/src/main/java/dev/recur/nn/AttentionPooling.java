package dev.recur.nn;

import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Additive attention pooling (Bahdanau et al. 2015; Yang et al. 2016's word attention): learned weights over each
 * sequence's valid steps, for the "RNN + attention" classifier. Over outputs x [T, B, H] with lengths n_b:
 * <pre>
 * u_t = tanh(W x_t + b)                                 [T, B, A]
 * s_t = vᵀ u_t                                          [T, B]
 * α_t = e^(s_t) / Σ_{t' &lt; n_b} e^(s_t')  for t &lt; n_b,  α_t = 0 for t ≥ n_b
 * y   = Σ_t α_t x_t                                     [B, H]
 * </pre>
 * Parameters: {@code weight} W [A, H] and {@code bias} b [A], as a PyTorch {@code nn.Linear(H, A)} and initialised
 * like one, from U(−1/√H, 1/√H); {@code context} v [A], as the weight of {@code nn.Linear(A, 1, bias=False)} with
 * its leading 1 dropped, from U(−1/√A, 1/√A) like that layer. Padded steps get weight exactly 0, whatever their
 * outputs hold. One fused node on the tape: u for all T·B rows is one [T·B, H]·[H, A] product, and backward
 * needs three more (docs/derivations/attention-pooling.md).
 * <pre>
 * var attention = new AttentionPooling(2 * hidden, 64, rng);     // AttentionPooling(512 -> 64)
 * var out = attention.forward(lstm.forward(x, lengths, null).output(), lengths);
 * var logits = classifier.forward(out.pooled());                  // [B, classes]
 * float[] perToken = out.weightsOf(0);                            // the first sequence's n_0 weights
 * </pre>
 */
public final class AttentionPooling extends Module {
    /** Its weight matrices are products' weights (quantized files store them in fewer bits). */
    @Override
    protected boolean isProductWeight(String name) {
        return name.equals("weight");
    }

    private final int hiddenSize;
    private final int attentionSize;
    private final Variable weight;    // W [A, H]
    private final Variable bias;      // b [A]
    private final Variable context;   // v [A]

    /** Pooling over outputs of {@code hiddenSize} columns (D·H for a bidirectional layer) with A = {@code attentionSize}. */
    public AttentionPooling(int hiddenSize, int attentionSize, RandomGenerator rng) {
        if (hiddenSize <= 0 || attentionSize <= 0) {
            throw new IllegalArgumentException("AttentionPooling: hiddenSize and attentionSize must be positive, got "
                    + hiddenSize + " and " + attentionSize);
        }
        this.hiddenSize = hiddenSize;
        this.attentionSize = attentionSize;
        float bound = (float) (1 / Math.sqrt(hiddenSize)), contextBound = (float) (1 / Math.sqrt(attentionSize));
        this.weight = register("weight", Tensor.uniform(rng, -bound, bound, attentionSize, hiddenSize));
        this.bias = register("bias", Tensor.uniform(rng, -bound, bound, attentionSize));
        this.context = register("context", Tensor.uniform(rng, -contextBound, contextBound, attentionSize));
    }

    /**
     * Pools time-major {@code outputs} [T, B, H] over each sequence's valid steps; {@code lengths} may come in any
     * order (null: every sequence has all T steps).
     */
    public Output forward(Variable outputs, Lengths lengths) {
        var v = outputs.value();
        if (v.rank() != 3 || v.dim(2) != hiddenSize) {
            throw new IllegalArgumentException(this + ": outputs have shape " + v.shapeString() + "; expected [T, B, "
                    + hiddenSize + "], time-major");
        }
        if (v.dim(0) == 0) throw new IllegalArgumentException(this + ": outputs " + v.shapeString() + " have no time steps");
        Lengths len = lengths == null ? Lengths.full(v.dim(0), v.dim(1)) : lengths;
        len.check(this, v.dim(0), v.dim(1));
        var op = new AttentionPoolingOp(outputs, weight, bias, context, len.values());
        return new Output(op.output(), op.weights(), len);
    }

    public Variable weight() {
        return weight;
    }

    public Variable bias() {
        return bias;
    }

    public Variable context() {
        return context;
    }

    @Override
    public String toString() {
        return "AttentionPooling(" + hiddenSize + " -> " + attentionSize + ")";
    }

    /**
     * The pooled vectors [B, H] and the attention weights α [T, B] (a copy, not on the tape; 0 past each
     * length), with the lengths they were computed for.
     */
    public record Output(Variable pooled, Tensor weights, Lengths lengths) {

        /** Sequence b's weights over its n_b valid steps, which sum to 1: for showing per-token weights. */
        public float[] weightsOf(int b) {
            int batch = weights.dim(1);
            float[] w = new float[lengths.get(b)];
            for (int t = 0; t < w.length; t++) w[t] = weights.at(t * batch + b);
            return w;
        }
    }
}
