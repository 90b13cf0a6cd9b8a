package dev.recur.nn;

import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;

/**
 * The state of a recurrent stack, h [L·D, B, P or H] and, for an LSTM, c [L·D, B, H] (null otherwise); for a
 * cell, [B, H]. Pass the state returned by one chunk as the initial state of the next; {@link #detach()} it
 * to cut back-propagation there (truncated BPTT).
 */
public record RecurrentState(Variable h, Variable c) {

    public RecurrentState {
        if (h == null) throw new IllegalArgumentException("a recurrent state needs h");
    }

    /** A constant state h (RNN, GRU). */
    public static RecurrentState of(Tensor h) {
        return new RecurrentState(Variable.of(h), null);
    }

    /** A constant state h, c (LSTM). */
    public static RecurrentState of(Tensor h, Tensor c) {
        return new RecurrentState(Variable.of(h), Variable.of(c));
    }

    /** The same values, cut from the graph: no gradient flows back through them. */
    public RecurrentState detach() {
        return new RecurrentState(h.detach(), c == null ? null : c.detach());
    }
}
