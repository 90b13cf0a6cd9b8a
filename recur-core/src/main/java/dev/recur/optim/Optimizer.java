package dev.recur.optim;

import dev.recur.tensor.InvalidOptionException;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.List;

/**
 * Updates parameters from their gradients. The optimizer's state (moments, accumulators) lives in flat
 * buffers, one float per parameter element per state slot, so saving or restoring it is one copy each.
 * Subclasses implement {@link #update}, called once per parameter per step on that parameter's elements.
 * Parameters without a gradient are skipped, as in PyTorch.
 * <pre>
 * var opt = new Adam(model.parameters(), 1e-3f);
 * loss.backward();
 * opt.step();
 * opt.zeroGrad();
 * </pre>
 */
public abstract class Optimizer {
    private final List<Variable> params;
    private final int[] offsets;
    private final float[][] state;
    private float lr;
    private long steps;

    /** {@code slots} is the number of state values per parameter element (Adam: 2, plain SGD: 0). */
    protected Optimizer(List<Variable> params, float lr, int slots) {
        if (params.isEmpty()) throw new IllegalArgumentException("the optimizer got no parameters");
        for (Variable p : params) {
            if (p.value().quantized() != null) {
                throw new dev.recur.tensor.InvalidInputException("this model's weights are quantized (" + p.value().quantized().type().option()
                        + "): quantized files are for inference; train or --resume from the float32 model they were made from");
            }
        }
        checkLr(lr);
        this.params = List.copyOf(params);
        this.offsets = new int[params.size() + 1];
        for (int i = 0; i < params.size(); i++) offsets[i + 1] = offsets[i] + params.get(i).value().size();
        this.state = new float[slots][offsets[params.size()]];
        this.lr = lr;
    }

    /** One update of every parameter that has a gradient. */
    public final void step() {
        steps++;
        for (int i = 0; i < params.size(); i++) {
            Variable p = params.get(i);
            Tensor g = p.grad();
            if (g == null) continue;
            Tensor w = p.value();
            update(w.data(), w.offset(), g.data(), g.offset(), offsets[i], w.size());
        }
    }

    /**
     * Updates {@code n} elements: weights {@code w[wo..wo+n)}, gradients {@code g[go..go+n)}, and this parameter's
     * state {@code state(slot)[so..so+n)}. The gradient array must not be modified.
     */
    protected abstract void update(float[] w, int wo, float[] g, int go, int so, int n);

    /** One flat state buffer: element j of parameter i is at {@code offsets[i] + j}. */
    protected final float[] state(int slot) {
        return state[slot];
    }

    public final void zeroGrad() {
        params.forEach(Variable::zeroGrad);
    }

    public final List<Variable> params() {
        return params;
    }

    public final float lr() {
        return lr;
    }

    /** Sets the learning rate, e.g. from a schedule. */
    public final void setLr(float lr) {
        checkLr(lr);
        this.lr = lr;
    }

    /** Steps taken so far (the t of Adam's bias correction). */
    public final long steps() {
        return steps;
    }

    /** Every state buffer, for checkpoints; the returned arrays are the live state. */
    public final float[][] stateBuffers() {
        return state;
    }

    /** Restores the step count (with {@link #stateBuffers()} filled by the caller) when resuming. */
    public final void restoreSteps(long steps) {
        this.steps = steps;
    }

    private static void checkLr(float lr) {
        if (!(lr >= 0) || Float.isInfinite(lr)) throw new InvalidOptionException("learning rate must be a finite number ≥ 0, got " + lr);
    }

    static void checkRange(String name, float value, float low, float high) {
        if (!(value >= low && value < high)) {
            throw new InvalidOptionException(name + " must be in [" + low + ", " + high + "), got " + value);
        }
    }
}
