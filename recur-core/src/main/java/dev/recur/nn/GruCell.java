package dev.recur.nn;

import java.util.random.RandomGenerator;

/**
 * One step of GRU gates r, z, n, the reset gate applied to W_hn h + b_hn (see Gru). As PyTorch's nn.GRUCell; with
 * {@link RecurrentConfig#withResetBefore}, n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn) instead.
 * <pre>
 * var cell = new GruCell(RecurrentConfig.gru(3, 5), new SplittableRandom(7));
 * var state = cell.forward(x, null);   // x [B, 3] → state.h() [B, 5]
 * </pre>
 */
public final class GruCell extends RecurrentCell {
    public GruCell(RecurrentConfig config, RandomGenerator rng) {
        super(config, CellType.GRU, rng);
    }
}
