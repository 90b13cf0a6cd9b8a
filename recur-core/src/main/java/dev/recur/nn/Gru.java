package dev.recur.nn;

import java.util.random.RandomGenerator;

/**
 * Multi-layer GRU over whole sequences; weights, gate order and initialisation as PyTorch's nn.GRU.
 * <pre>
 * r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 * h' = (1 − z) ⊙ n + z ⊙ h
 * </pre>
 * Input [T, B, F] with lengths [B]; state h [L·D, B, H]. Returns outputs [T, B, D·H] and each sequence's state
 * after its own last step. Parameters weight_ih_l{k}[_reverse] [3H, F or D·H], weight_hh_l{k} [3H, H],
 * bias_ih_l{k}, bias_hh_l{k} [3H], from U(−1/√H, 1/√H). Derivation: docs/derivations/gru.md.
 * <p>
 * With {@link RecurrentConfig#withResetBefore} the reset gate acts before the recurrent product,
 * n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn): the GRU of Cho et al. (2014), Keras' reset_after=False and
 * ONNX's default (linear_before_reset=0), with the same parameters.
 * <pre>
 * var gru = new Gru(RecurrentConfig.gru(3, 5).withBatchFirst(), new SplittableRandom(7));
 * var out = gru.forward(x);                            // x [B, T, 3] → out.output() [B, T, 5], out.h() [1, B, 5]
 * </pre>
 */
public final class Gru extends Recurrent {
    public Gru(RecurrentConfig config, RandomGenerator rng) {
        super(config, CellType.GRU, rng);
    }
}
