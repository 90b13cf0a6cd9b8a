package dev.recur.autograd;

/**
 * A NaN or an infinity where a finite number is needed, e.g. in a loss's input. The message names the
 * operation, the element and the operation that produced the bad value:
 * <pre>
 * cross_entropy: logits hold NaN at [3, 7]; they were produced by matmul [4, 8]·[8, 10]
 * </pre>
 */
public class NonFiniteException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    public NonFiniteException(String message) {
        super(message);
    }
}
