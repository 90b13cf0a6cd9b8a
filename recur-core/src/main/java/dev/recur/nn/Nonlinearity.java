package dev.recur.nn;

/** The activation of an Elman RNN, as PyTorch's {@code nonlinearity='tanh'|'relu'}. */
public enum Nonlinearity {
    TANH,
    RELU
}
