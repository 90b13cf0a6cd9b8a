package dev.recur.nn;

import dev.recur.autograd.Variable;

/**
 * What a recurrent stack returns: every step's top-layer output, [T, B, D·P] ([B, T, D·P] batch-first; zero past
 * a sequence's length), and the final state of every layer and direction, each sequence's after its own last step.
 */
public record RecurrentOutput(Variable output, RecurrentState state) {

    /** The final hidden states h_n. */
    public Variable h() {
        return state.h();
    }

    /** The final cell states c_n (LSTM), or null. */
    public Variable c() {
        return state.c();
    }
}
