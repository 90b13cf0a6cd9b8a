package dev.recur.task.synthetic;

import dev.recur.tensor.InvalidOptionException;
import dev.recur.nn.CellType;

/**
 * The size of a synthetic task ({@link AddingProblem}, {@link CopyTask}) and of the model that learns it.
 *
 * @param cell     rnn, lstm or gru
 * @param hidden   hidden units of the one recurrent layer, e.g. 64
 * @param length   the adding problem's sequence length T, or the copy task's delay, e.g. 100
 * @param batch    sequences per training step (and per evaluation batch), e.g. 32
 * @param testSize sequences in the fixed test set, e.g. 512
 * @param seed     seeds the weights, the training stream and the test set, e.g. 1
 */
public record SyntheticTaskConfig(CellType cell, int hidden, int length, int batch, int testSize, long seed) {

    public SyntheticTaskConfig {
        if (cell == null) throw new InvalidOptionException("cell must be given");
        if (hidden <= 0) throw new InvalidOptionException("hidden must be positive, got " + hidden);
        if (length < 2) throw new InvalidOptionException("length must be at least 2, got " + length);
        if (batch <= 0) throw new InvalidOptionException("batch must be positive, got " + batch);
        if (testSize <= 0) throw new InvalidOptionException("testSize must be positive, got " + testSize);
    }

    /** A test set of 512 sequences, seed 1. */
    public static SyntheticTaskConfig of(CellType cell, int hidden, int length, int batch) {
        return new SyntheticTaskConfig(cell, hidden, length, batch, 512, 1);
    }

    public SyntheticTaskConfig withSeed(long seed) {
        return new SyntheticTaskConfig(cell, hidden, length, batch, testSize, seed);
    }

    public SyntheticTaskConfig withTestSize(int testSize) {
        return new SyntheticTaskConfig(cell, hidden, length, batch, testSize, seed);
    }
}
