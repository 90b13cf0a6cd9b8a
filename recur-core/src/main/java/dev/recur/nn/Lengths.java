package dev.recur.nn;

import java.util.Arrays;

/**
 * The length of each sequence in a padded batch, in any order, as PyTorch's {@code pack_padded_sequence(...,
 * enforce_sorted=False)}. Sequence b holds valid steps 0 .. lengths[b] − 1; past them its state is carried
 * unchanged and its outputs are zero.
 */
public final class Lengths {
    private final int[] values;

    private Lengths(int[] values) {
        this.values = values;
    }

    public static Lengths of(int... lengths) {
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 1) throw new IllegalArgumentException("lengths[" + i + "] is " + lengths[i] + "; every sequence needs at least one step");
        }
        return new Lengths(lengths.clone());
    }

    /** B sequences of T steps each. */
    public static Lengths full(int steps, int batch) {
        int[] v = new int[batch];
        Arrays.fill(v, steps);
        return of(v);
    }

    public int get(int b) {
        return values[b];
    }

    public int size() {
        return values.length;
    }

    public int[] toArray() {
        return values.clone();
    }

    /** The longest length. */
    public int max() {
        return Arrays.stream(values).max().orElse(0);
    }

    /** Throws unless there is one length per sequence, none longer than the {@code steps} of the input. */
    void check(Object layer, int steps, int batch) {
        if (values.length != batch) {
            throw new IllegalArgumentException(layer + ": " + values.length + " lengths for a batch of " + batch);
        }
        if (max() > steps) {
            throw new IllegalArgumentException(layer + ": a sequence of length " + max() + " in an input of " + steps + " steps");
        }
    }

    int[] values() {
        return values;
    }

    @Override
    public String toString() {
        return "Lengths" + Arrays.toString(values);
    }
}
