package dev.recur.spark;

import java.io.Serializable;

/** What a worker is given and gives back for one synchronous step. */
final class Step {
    private Step() {}

    /** Part {@code part} of {@code parts} of training batch {@code index}, continuing from the part's task state (null at the start). */
    record In(long index, int part, int parts, Tensors state) implements Serializable {}

    /**
     * The part's mean loss and gradient, its weight (the loss's denominator) and items, which parameters got a
     * gradient, the part's task state afterwards, and the worker's compute time.
     */
    record Out(int part, double loss, long items, double weight, float[] grad, boolean[] has, Tensors state, long nanos,
               String host) implements Serializable {}

    /**
     * Parts added up: Σ weight·grad, Σ weight, Σ weight·loss, items, the union of the gradient marks, and each part's
     * state. Adding the parts in order 0, 1, ... gives the same floats every time; {@link #merge} (tree reduction)
     * adds partial sums in whatever order they arrive.
     */
    static final class Sum implements Serializable {
        float[] grad;
        boolean[] has;
        double weight, weightedLoss;
        long items, maxNanos, totalNanos;
        final java.util.TreeMap<Integer, Tensors> states = new java.util.TreeMap<>();

        Sum add(Out out) {
            if (grad == null) {
                grad = new float[out.grad().length];
                has = new boolean[out.has().length];
            }
            if (out.weight() > 0) {
                float w = (float) out.weight();
                float[] g = out.grad();
                for (int j = 0; j < g.length; j++) grad[j] += w * g[j];
                for (int i = 0; i < has.length; i++) has[i] |= out.has()[i];
                weightedLoss += out.weight() * out.loss();
            }
            weight += out.weight();
            items += out.items();
            maxNanos = Math.max(maxNanos, out.nanos());
            totalNanos += out.nanos();
            states.put(out.part(), out.state());
            return this;
        }

        Sum merge(Sum other) {
            if (other.grad == null) return this;
            if (grad == null) return other;
            for (int j = 0; j < grad.length; j++) grad[j] += other.grad[j];
            for (int i = 0; i < has.length; i++) has[i] |= other.has[i];
            weight += other.weight;
            weightedLoss += other.weightedLoss;
            items += other.items;
            maxNanos = Math.max(maxNanos, other.maxNanos);
            totalNanos += other.totalNanos;
            states.putAll(other.states);
            return this;
        }
    }
}
