package dev.recur.autograd;

import dev.recur.tensor.Tensor;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A tensor in a computation: its value, and, when it requires one, its gradient. Operations on variables
 * allocate their result and record themselves on the {@link Tape}; a parameter's gradient accumulates in
 * {@link #grad()} until {@link #zeroGrad()}.
 * <pre>
 * var w = Variable.parameter(Tensor.randn(rng, 4, 3));
 * var loss = x.matmul(w).tanh().sum();
 * loss.backward();                  // w.grad() is d loss / d w
 * </pre>
 * Methods: matmul; add, sub, mul, div (broadcasting over leading dimensions, or by a scalar), neg; sum and mean
 * (of all or along an axis); sigmoid, tanh, relu, exp, log; softmax and logSoftmax; dropout; layerNorm;
 * crossEntropy and mse; slice, split, reshape. Operations on several variables (embedding, concat, layerNorm)
 * are in {@link Functional}. Inside {@link Tape#noGrad()} none of them records anything.
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

    /** Elementwise a + b; the smaller operand's shape must be a trailing part of the larger's (or one element). */
    public Variable add(Variable b) {
        return Arithmetic.binary(Arithmetic.Op.ADD, this, b);
    }

    /** Elementwise a − b, broadcasting as {@link #add(Variable)}. */
    public Variable sub(Variable b) {
        return Arithmetic.binary(Arithmetic.Op.SUB, this, b);
    }

    /** Elementwise a ⊙ b, broadcasting as {@link #add(Variable)}. */
    public Variable mul(Variable b) {
        return Arithmetic.binary(Arithmetic.Op.MUL, this, b);
    }

    /** Elementwise a / b, broadcasting as {@link #add(Variable)}. */
    public Variable div(Variable b) {
        return Arithmetic.binary(Arithmetic.Op.DIV, this, b);
    }

    /** Adds {@code s} to every element. */
    public Variable add(float s) {
        return Arithmetic.affine("add " + s, this, 1f, s);
    }

    /** Subtracts {@code s} from every element. */
    public Variable sub(float s) {
        return Arithmetic.affine("sub " + s, this, 1f, -s);
    }

    /** Multiplies every element by {@code s}. */
    public Variable mul(float s) {
        return Arithmetic.affine("mul " + s, this, s, 0f);
    }

    /** Divides every element by {@code s} (as a multiplication by 1/s). */
    public Variable div(float s) {
        return Arithmetic.affine("div " + s, this, 1f / s, 0f);
    }

    /** −a. */
    public Variable neg() {
        return Arithmetic.affine("neg", this, -1f, 0f);
    }

    /** The sum of all elements, as a scalar. */
    public Variable sum() {
        return Reduce.sum(this);
    }

    /** The mean of all elements, as a scalar (NaN when there are none). */
    public Variable mean() {
        return Reduce.mean(this);
    }

    /** The sum along {@code axis} (negative counts from the end), which is removed: [2, 3, 4].sum(1) is [2, 4]. */
    public Variable sum(int axis) {
        return Reduce.sum(this, axis);
    }

    /** The mean along {@code axis} (negative counts from the end), which is removed. */
    public Variable mean(int axis) {
        return Reduce.mean(this, axis);
    }

    /** 1 / (1 + e^−x), elementwise. */
    public Variable sigmoid() {
        return Pointwise.apply(Pointwise.Fn.SIGMOID, this);
    }

    public Variable tanh() {
        return Pointwise.apply(Pointwise.Fn.TANH, this);
    }

    /** max(x, 0), elementwise; the gradient at 0 is 0. */
    public Variable relu() {
        return Pointwise.apply(Pointwise.Fn.RELU, this);
    }

    public Variable exp() {
        return Pointwise.apply(Pointwise.Fn.EXP, this);
    }

    /** The natural logarithm, elementwise (NaN below 0, −∞ at 0, as Math.log). */
    public Variable log() {
        return Pointwise.apply(Pointwise.Fn.LOG, this);
    }

    /** Softmax over the last axis: each row [..., V] is positive and sums to 1. */
    public Variable softmax() {
        return Softmax.softmax(this);
    }

    /** log(softmax(x)) over the last axis, computed without forming the softmax. */
    public Variable logSoftmax() {
        return Softmax.logSoftmax(this);
    }

    /**
     * Inverted dropout: in training, zeroes each element with probability {@code p} (drawn from {@code rng}) and
     * scales the kept ones by 1/(1 − p); otherwise, or when p = 0, returns this variable. p must be in [0, 1).
     */
    public Variable dropout(float p, RandomGenerator rng, boolean training) {
        return Pointwise.dropout(this, p, rng, training);
    }

    /** {@code Functional.layerNorm(this, gamma, beta, eps)}: normalises the last axis, then scales and shifts. */
    public Variable layerNorm(Variable gamma, Variable beta, float eps) {
        return LayerNormOp.forward(this, gamma, beta, eps);
    }

    /**
     * The mean cross-entropy of these logits [..., V] against class {@code targets} (one per row, in [0, V) or
     * {@code ignoreIndex}), over the rows not ignored; as PyTorch's
     * {@code F.cross_entropy(logits.reshape(-1, V), targets, ignore_index=ignoreIndex)}. When every target is
     * ignored the loss is 0 with a zero gradient (PyTorch gives NaN). Throws {@link NonFiniteException} when a
     * logit or the loss is NaN or infinite.
     */
    public Variable crossEntropy(int[] targets, int ignoreIndex) {
        return Losses.crossEntropy(this, targets, ignoreIndex);
    }

    /**
     * {@link #crossEntropy(int[], int)} with a weight per class, as PyTorch's {@code weight=}: the weighted mean
     * Σ_r w[t_r]·loss_r / Σ_r w[t_r] (class weights for imbalanced data).
     */
    public Variable crossEntropy(int[] targets, int ignoreIndex, float[] classWeights) {
        return Losses.crossEntropy(this, targets, ignoreIndex, classWeights);
    }

    /**
     * {@link #crossEntropy(int[], int)} with label smoothing ε in [0, 1), as PyTorch's {@code label_smoothing=}: the
     * target distribution is 1 − ε on the target plus ε/V on every class.
     */
    public Variable crossEntropy(int[] targets, int ignoreIndex, float smoothing) {
        return Losses.crossEntropy(this, targets, ignoreIndex, null, smoothing);
    }

    /** {@link #crossEntropy(int[], int)} with PyTorch's default ignore index, −100. */
    public Variable crossEntropy(int[] targets) {
        return Losses.crossEntropy(this, targets, -100);
    }

    /**
     * The mean squared error between this prediction and {@code target} of the same shape, as PyTorch's
     * {@code F.mse_loss}. Throws {@link NonFiniteException} when either input or the loss is NaN or infinite.
     */
    public Variable mse(Variable target) {
        return Losses.mse(this, target);
    }

    /** Indices {@code from} (inclusive) to {@code to} (exclusive) along {@code axis}; a copy. */
    public Variable slice(int axis, int from, int to) {
        return Shapes.slice(this, axis, from, to);
    }

    /** Consecutive parts along {@code axis} of the given sizes, which must add up to that dimension. */
    public List<Variable> split(int axis, int... sizes) {
        return Shapes.split(this, axis, sizes);
    }

    /** The same values in another shape of the same size; one dimension may be −1. */
    public Variable reshape(int... shape) {
        return Shapes.reshape(this, shape);
    }

    @Override
    public String toString() {
        return "Variable(" + origin + (requiresGrad ? ", requires grad" : "") + ")";
    }
}
