package dev.recur.nn;

import dev.recur.autograd.Functional;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * A lookup table of V vectors of size E, as PyTorch's nn.Embedding: weight [V, E] from N(0, 1); ids of any
 * leading shape give [..., E].
 * <pre>
 * var embed = new Embedding(96, 32, rng);    // Embedding(96, 32)
 * var x = embed.forward(ids, B, T);          // [B, T, 32]
 * </pre>
 */
public final class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final Variable weight;

    public Embedding(int numEmbeddings, int embeddingDim, RandomGenerator rng) {
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException("Embedding: numEmbeddings and embeddingDim must be positive, got "
                    + numEmbeddings + " and " + embeddingDim);
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.weight = register("weight", Tensor.randn(rng, numEmbeddings, embeddingDim));
    }

    /** The rows for {@code ids}, each in [0, V): [leadingShape..., E], or [ids.length, E] without a leading shape. */
    public Variable forward(int[] ids, int... leadingShape) {
        return Functional.embedding(weight, ids, leadingShape);
    }

    public Variable weight() {
        return weight;
    }

    @Override
    public String toString() {
        return "Embedding(" + numEmbeddings + ", " + embeddingDim + ")";
    }
}
