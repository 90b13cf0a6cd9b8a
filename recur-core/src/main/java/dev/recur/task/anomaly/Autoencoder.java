package dev.recur.task.anomaly;

import dev.recur.autograd.Functional;
import dev.recur.autograd.Variable;
import dev.recur.nn.CellType;
import dev.recur.nn.Linear;
import dev.recur.nn.Module;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;

/**
 * An LSTM/GRU autoencoder over windows (Malhotra et al. 2016): the encoder reads the window, its last hidden state
 * is fed to the decoder at every step, and a linear layer maps the decoder's outputs back to the values.
 * Input and reconstruction [W, B, n]. Parameters: {@code encoder.*}, {@code decoder.*}, {@code output.weight},
 * {@code output.bias}.
 */
final class Autoencoder extends Module {
    private final int hidden;
    private final Recurrent encoder, decoder;
    private final Linear output;

    Autoencoder(CellType cell, int values, int hidden, int layers, Rng rng) {
        this.hidden = hidden;
        this.encoder = register("encoder", Recurrent.of(RecurrentConfig.of(cell, values, hidden).withLayers(layers), rng));
        this.decoder = register("decoder", Recurrent.of(RecurrentConfig.of(cell, hidden, hidden).withLayers(layers), rng));
        this.output = register("output", new Linear(hidden, values, rng));
    }

    /** The reconstruction [W·B, n] of windows [W, B, n]. */
    Variable forward(Tensor windows) {
        int w = windows.dim(0), b = windows.dim(1);
        Variable code = encoder.forward(Variable.of(windows)).output().slice(0, w - 1, w);   // [1, B, H]
        Variable[] repeated = new Variable[w];
        java.util.Arrays.fill(repeated, code);
        Variable decoded = decoder.forward(Functional.concat(0, repeated)).output();
        return output.forward(decoded.reshape(w * b, hidden));
    }
}
