package dev.recur.nn;

import java.util.random.RandomGenerator;

/**
 * Multi-layer LSTM over whole sequences; weights, gate order and initialisation as PyTorch's nn.LSTM.
 * <pre>
 * i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(W_if x + b_if + W_hf h + b_hf)
 * g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
 * c' = f ⊙ c + i ⊙ g                        h' = o ⊙ tanh(c')   (h' = W_hr (o ⊙ tanh(c')) with projSize P)
 * </pre>
 * Input [T, B, F] with lengths [B]; state h [L·D, B, P], c [L·D, B, H]. Returns outputs [T, B, D·P] and each
 * sequence's state after its own last step. Parameters weight_ih_l{k}[_reverse] [4H, F or D·P], weight_hh_l{k}
 * [4H, P], bias_ih_l{k}, bias_hh_l{k} [4H], weight_hr_l{k} [P, H], from U(−1/√H, 1/√H).
 * Derivation: docs/derivations/lstm.md.
 * <pre>
 * var lstm = new Lstm(RecurrentConfig.lstm(3, 5).withLayers(2).withDirections(2), new SplittableRandom(7));
 * var out = lstm.forward(x, Lengths.of(5, 3), null);   // out.output() [5, 2, 10], out.h() [4, 2, 5]
 * </pre>
 */
public final class Lstm extends Recurrent {
    public Lstm(RecurrentConfig config, RandomGenerator rng) {
        super(config, CellType.LSTM, rng);
    }
}
