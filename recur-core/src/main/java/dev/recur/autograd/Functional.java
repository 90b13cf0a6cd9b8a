package dev.recur.autograd;

/**
 * Operations on several variables that are not naturally a method of one of them, as PyTorch's
 * {@code torch.nn.functional}; the others are methods of {@link Variable}.
 * <pre>
 * var x = Functional.embedding(weight, ids, B, T);          // [B, T, E]
 * var both = Functional.concat(-1, forward, backward);       // [T, B, 2H]
 * var y = Functional.layerNorm(both, gamma, beta, 1e-5f);
 * </pre>
 */
public final class Functional {
    private Functional() {}

    /**
     * Rows of {@code weight} [V, E] picked by {@code ids}: [leadingShape..., E], or [ids.length, E] when no
     * leading shape is given. Every id must be in [0, V). The gradient scatter-adds into the picked rows.
     */
    public static Variable embedding(Variable weight, int[] ids, int... leadingShape) {
        return EmbeddingOp.forward(weight, ids, leadingShape);
    }

    /** Joins {@code parts} along {@code axis} (negative counts from the end); every other dimension must match. */
    public static Variable concat(int axis, Variable... parts) {
        return Shapes.concat(axis, parts);
    }

    /**
     * Normalises the last axis of {@code x} [..., F] to mean 0 and (biased) variance 1, then scales by
     * {@code gamma} [F] and shifts by {@code beta} [F]; as PyTorch's {@code F.layer_norm}.
     */
    public static Variable layerNorm(Variable x, Variable gamma, Variable beta, float eps) {
        return LayerNormOp.forward(x, gamma, beta, eps);
    }
}
