package dev.recur.autograd;

import dev.recur.tensor.Tensor;

/**
 * A tensor in a computation: its value, and, when it requires one, its gradient. Operations on variables
 * allocate their result and record themselves on the {@link Tape}; a parameter's gradient accumulates in
 * {@link #grad()} until {@link #zeroGrad()}.
 * <pre>
 * var w = Variable.parameter(Tensor.randn(rng, 4, 3));
 * var loss = x.matmul(w).tanh().sum();
 * loss.backward();                  // w.grad() is d loss / d w
 * </pre>
 */
public final class Variable {
    private final Tensor value;
    private final boolean requiresGrad;
    private final String origin;
    private Tensor grad;

    private Variable(Tensor value, boolean requiresGrad, String origin) {
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.origin = origin;
    }

    /** A constant: no gradient flows into it. */
    public static Variable of(Tensor value) {
        return new Variable(value, false, "constant " + value.shapeString());
    }

    /** A leaf that requires a gradient, e.g. a weight or an input under a gradient check. */
    public static Variable parameter(Tensor value) {
        return new Variable(value, true, "parameter " + value.shapeString());
    }

    /**
     * The output of an operation, for op code: it requires a gradient when any input does and the tape is
     * recording. {@code origin} names the operation and its shapes, for error messages.
     */
    public static Variable result(Tensor value, String origin, Variable... inputs) {
        boolean needs = false;
        if (Tape.recording()) {
            for (Variable v : inputs) needs |= v.requiresGrad;
        }
        return new Variable(value, needs, origin);
    }

    public Tensor value() {
        return value;
    }

    /** The accumulated gradient, or null when none has reached this variable. */
    public Tensor grad() {
        return grad;
    }

    /** The gradient, created as zeros on first use; op code accumulates into it. */
    public Tensor gradBuffer() {
        if (grad == null) grad = value.zerosLike();
        return grad;
    }

    public void zeroGrad() {
        grad = null;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** The operation that produced this variable, with its shapes, e.g. "matmul [4, 8]·[8, 10]". */
    public String origin() {
        return origin;
    }

    public int[] shape() {
        return value.shape();
    }

    /** The same value, cut from the graph: no gradient flows through it. */
    public Variable detach() {
        return new Variable(value, false, origin);
    }

    /** Back-propagates from this one-element variable (d self / d self = 1) and clears the tape. */
    public void backward() {
        if (value.size() != 1) {
            throw new IllegalStateException("backward() needs a one-element output; " + origin + " has shape "
                    + value.shapeString() + ". Reduce it first (sum, mean) or call Tape.backward(output, seed)");
        }
        Tensor seed = value.zerosLike();
        seed.fill(1f);
        Tape.backward(this, seed);
    }

    // ---- operations ----

    /** [..., K] · [K, N] → [..., N]. */
    public Variable matmul(Variable b) {
        return MatMul.forward(this, Transpose.NONE, b, Transpose.NONE);
    }

    /** op(A) · op(B), where op transposes when asked; a transposed operand must have rank 2. */
    public Variable matmul(Variable b, Transpose ta, Transpose tb) {
        return MatMul.forward(this, ta, b, tb);
    }

    /** Elementwise sum; the smaller operand's shape must be a trailing part of the larger's (or one element). */
    public Variable add(Variable b) {
        return Arithmetic.add(this, b);
    }

    /** The sum of all elements, as a scalar. */
    public Variable sum() {
        return Reduce.sum(this);
    }

    @Override
    public String toString() {
        return "Variable(" + origin + (requiresGrad ? ", requires grad" : "") + ")";
    }
}
