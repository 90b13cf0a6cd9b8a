package dev.recur.autograd;

import java.util.List;

/**
 * One recorded operation. {@link #backward()} reads {@code output().grad()} and accumulates into the gradients
 * of the inputs that require one; the tape calls it only when an output received a gradient.
 */
public interface TapeNode {

    /** The variable this operation produced. */
    Variable output();

    /**
     * Every variable this operation produced, for an operation with several outputs (a recurrent layer's output,
     * h_n and c_n); the tape runs {@link #backward()} once when any of them received a gradient.
     */
    default List<Variable> outputs() {
        return List.of(output());
    }

    /** Adds this operation's contribution to its inputs' gradients. */
    void backward();
}
