package dev.recur.nn;

import java.util.random.RandomGenerator;

/**
 * One step of LSTM gates i, f, g, o (see Lstm); state h and c. As PyTorch's nn.LSTMCell.
 * <pre>
 * var cell = new LstmCell(RecurrentConfig.lstm(3, 5), new SplittableRandom(7));
 * var state = cell.forward(x, null);   // x [B, 3] → state.h() [B, 5]
 * </pre>
 */
public final class LstmCell extends RecurrentCell {
    public LstmCell(RecurrentConfig config, RandomGenerator rng) {
        super(config, CellType.LSTM, rng);
    }
}
