package dev.recur.nn;

import dev.recur.tensor.InvalidOptionException;
import dev.recur.autograd.Variable;
import java.util.random.RandomGenerator;

/**
 * Inverted dropout, as PyTorch's nn.Dropout: in training mode each element is zeroed with probability p and the
 * rest are scaled by 1/(1 − p); in evaluation mode ({@code train(false)}) the input passes through unchanged.
 * <pre>
 * var drop = new Dropout(0.2f, rng);   // Dropout(p=0.2)
 * var y = drop.forward(x);
 * </pre>
 */
public final class Dropout extends Module {
    private final float p;
    private final RandomGenerator rng;

    /** Draws its masks from {@code rng}; p must be in [0, 1). */
    public Dropout(float p, RandomGenerator rng) {
        if (!(p >= 0 && p < 1)) throw new InvalidOptionException("Dropout: p must be in [0, 1), got " + p);
        this.p = p;
        this.rng = rng;
    }

    public Variable forward(Variable x) {
        return forward(x, rng);
    }

    /** With the mask drawn from {@code rng} instead of this module's generator, e.g. to replay a mask. */
    public Variable forward(Variable x, RandomGenerator rng) {
        return x.dropout(p, rng, training());
    }

    public float p() {
        return p;
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
