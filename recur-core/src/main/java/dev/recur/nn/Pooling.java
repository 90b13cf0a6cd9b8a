package dev.recur.nn;

import dev.recur.autograd.Variable;

/**
 * How a classification head turns a recurrent layer's outputs [T, B, C] (time-major, C = D·H; zero past each
 * sequence's length) into one vector per sequence [B, C], each over its own valid steps t &lt; n_b only:
 * <pre>
 * LAST       y[b] = x[n_b − 1, b]                       one direction
 *            y[b] = (x[n_b − 1, b, :H], x[0, b, H:])    two directions: the reverse half ends at step 0
 * MEAN       y[b] = (1/n_b) Σ_{t &lt; n_b} x[t, b]
 * MAX        y[b, c] = max_{t &lt; n_b} x[t, b, c]           padding never wins, even when every valid value is negative
 * ATTENTION  y[b] = Σ_{t &lt; n_b} α[t, b] x[t, b]           learned weights: {@link AttentionPooling}
 * </pre>
 * For LAST with two directions: the reverse direction reads a sequence from its last step back to step 0, so its
 * summary of the whole sequence is its output at step 0; the forward direction's is at step n_b − 1. Together they
 * equal the top layer's final states, the last two rows of {@link RecurrentOutput#h()} side by side, which PyTorch
 * users take for this as {@code torch.cat([h_n[-2], h_n[-1]], dim=1)}. MEAN and MAX treat all columns alike.
 * <p>
 * Gradients: LAST and MAX pass dy to the step they picked (MAX to the first of equal maxima), MEAN passes dy/n_b
 * to every valid step; padded steps get none.
 * <pre>
 * var out = lstm.forward(x, lengths, null);                                  // output [T, B, 2H]
 * var features = Pooling.pool(out.output(), lengths, Pooling.LAST, 2);       // [B, 2H]
 * var logits = classifier.forward(features);                                 // [B, classes]
 * </pre>
 */
public enum Pooling {
    LAST, MEAN, MAX, ATTENTION;

    /** {@link #pool(Variable, Lengths, Pooling, int)} for the outputs of one direction. */
    public static Variable pool(Variable outputs, Lengths lengths, Pooling mode) {
        return pool(outputs, lengths, mode, 1);
    }

    /**
     * Pools {@code outputs} [T, B, C] to [B, C] over each sequence's valid steps. {@code lengths} may come in any
     * order (null: every sequence has all T steps); {@code directions}, 1 or 2, says how many directions' outputs
     * C holds side by side, as {@link RecurrentConfig#directions()}, and matters to LAST only. ATTENTION has
     * parameters: use {@link AttentionPooling#forward}.
     */
    public static Variable pool(Variable outputs, Lengths lengths, Pooling mode, int directions) {
        String name = "pool(" + mode + ")";
        var v = outputs.value();
        if (v.rank() != 3) {
            throw new IllegalArgumentException(name + ": outputs have shape " + v.shapeString() + "; expected [T, B, C], time-major");
        }
        if (directions != 1 && directions != 2) {
            throw new IllegalArgumentException(name + ": directions must be 1 or 2, got " + directions);
        }
        if (v.dim(2) % directions != 0) {
            throw new IllegalArgumentException(name + ": outputs have " + v.dim(2) + " columns (shape " + v.shapeString()
                    + "), which do not split into " + directions + " directions");
        }
        if (v.dim(0) == 0) throw new IllegalArgumentException(name + ": outputs " + v.shapeString() + " have no time steps");
        Lengths len = lengths == null ? Lengths.full(v.dim(0), v.dim(1)) : lengths;
        len.check(name, v.dim(0), v.dim(1));
        return switch (mode) {
            case LAST -> PoolingOp.last(outputs, len.values(), directions);
            case MEAN -> PoolingOp.mean(outputs, len.values());
            case MAX -> PoolingOp.max(outputs, len.values());
            case ATTENTION -> throw new IllegalArgumentException(
                    "pool(ATTENTION): attention pooling has parameters; make an AttentionPooling module and call its forward");
        };
    }
}
