package dev.recur.autograd;

/**
 * One recorded operation. {@link #backward()} reads {@code output().grad()} and accumulates into the gradients
 * of the inputs that require one; the tape calls it only when the output received a gradient.
 */
public interface TapeNode {

    /** The variable this operation produced. */
    Variable output();

    /** Adds this operation's contribution to its inputs' gradients. */
    void backward();
}
