package dev.recur.kernel;

/** The activation of an Elman cell: h' = tanh(a) or max(a, 0), PyTorch's {@code nonlinearity='tanh'|'relu'}. */
public enum Activation {
    TANH,
    RELU
}
