package dev.recur.nn;

import dev.recur.kernel.Activation;

/** The activation of an Elman RNN, as PyTorch's {@code nonlinearity='tanh'|'relu'}. */
public enum Nonlinearity {
    TANH(Activation.TANH),
    RELU(Activation.RELU);

    /** The same choice as the kernels take it. */
    final Activation kernel;

    Nonlinearity(Activation kernel) {
        this.kernel = kernel;
    }
}
