package dev.recur.tensor;

import java.util.random.RandomGenerator;

/**
 * A random generator whose whole state is one long, so a checkpoint can save it and a resumed run draws
 * exactly the numbers an uninterrupted one would. SplitMix64 (Steele, Lea and Flood, 2014): passes BigCrush,
 * one add and a 64-bit mix per draw. Not for cryptography.
 */
public final class Rng implements RandomGenerator {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    @Override
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The state to save; {@code new Rng(0).restore(s)} continues the same sequence. */
    public long state() {
        return state;
    }

    public Rng restore(long state) {
        this.state = state;
        return this;
    }

    /** The state as a tensor of four exact 16-bit pieces, for checkpoints that hold only tensors. */
    public Tensor stateTensor() {
        float[] parts = new float[4];
        for (int i = 0; i < 4; i++) parts[i] = (state >>> (16 * i)) & 0xFFFF;
        return Tensor.of(parts, 4);
    }

    /** Restores a state saved by {@link #stateTensor()}. */
    public Rng restore(Tensor saved) {
        if (saved.size() != 4) throw new IllegalArgumentException("a generator state has 4 parts, got " + saved.shapeString());
        long s = 0;
        for (int i = 0; i < 4; i++) s |= ((long) saved.at(i) & 0xFFFF) << (16 * i);
        this.state = s;
        return this;
    }

    /** An independent generator for a sub-task (e.g. dropout of one layer), derived from this one. */
    public Rng split() {
        return new Rng(nextLong());
    }
}
