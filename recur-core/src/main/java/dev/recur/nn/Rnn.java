package dev.recur.nn;

import java.util.random.RandomGenerator;

/**
 * Multi-layer Elman RNN over whole sequences, as PyTorch's nn.RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh), act
 * tanh or relu ({@link RecurrentConfig#withNonlinearity}). Input [T, B, F] with lengths [B]; state h [L·D, B, H].
 * Returns outputs [T, B, D·H] and each sequence's state after its own last step. Parameters
 * weight_ih_l{k}[_reverse] [H, F or D·H], weight_hh_l{k} [H, H], bias_ih_l{k}, bias_hh_l{k} [H], from
 * U(−1/√H, 1/√H). Derivation: docs/derivations/rnn.md.
 * <pre>
 * var rnn = new Rnn(RecurrentConfig.rnn(3, 5).withNonlinearity(Nonlinearity.RELU), new SplittableRandom(7));
 * </pre>
 */
public final class Rnn extends Recurrent {
    public Rnn(RecurrentConfig config, RandomGenerator rng) {
        super(config, CellType.RNN, rng);
    }
}
