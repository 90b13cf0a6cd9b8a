package dev.recur.nn;

import java.util.random.RandomGenerator;

/**
 * One step of Elman step h' = act(W_ih x + b_ih + W_hh h + b_hh), act tanh or relu (see Rnn). As PyTorch's nn.RNNCell.
 * <pre>
 * var cell = new RnnCell(RecurrentConfig.rnn(3, 5), new SplittableRandom(7));
 * var state = cell.forward(x, null);   // x [B, 3] → state.h() [B, 5]
 * </pre>
 */
public final class RnnCell extends RecurrentCell {
    public RnnCell(RecurrentConfig config, RandomGenerator rng) {
        super(config, CellType.RNN, rng);
    }
}
