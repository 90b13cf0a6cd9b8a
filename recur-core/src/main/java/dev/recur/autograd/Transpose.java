package dev.recur.autograd;

/** Whether a matrix operand is used as stored or transposed. */
public enum Transpose {
    NONE,
    TRANSPOSED
}
