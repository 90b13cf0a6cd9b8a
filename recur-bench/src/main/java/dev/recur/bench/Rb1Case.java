package dev.recur.bench;

import dev.recur.nn.CellType;
import java.util.List;

/**
 * One case of the rb1 suite (issue 6): a model and a shape. {@code kind} says what a timed iteration is: a whole
 * batch of sequences through a recurrent stack, one batch-1 step carrying state, or the character language model
 * Embedding(96 → 64) → LSTM → Linear(H → 96) with cross-entropy and Adam.
 *
 * @param input  input features F (for the language model, the embedding width)
 * @param hidden hidden size H of every layer
 * @param batch  sequences per batch B
 * @param steps  time steps T (1 for a single step)
 */
record Rb1Case(String name, Kind kind, CellType cell, int layers, int directions, int input, int hidden, int batch,
               int steps) {

    enum Kind { SEQUENCE, STEP, LANGUAGE_MODEL }

    /** The characters of the language model's vocabulary. */
    static final int VOCABULARY = 96;

    /** The suite, in the order it runs. */
    static final List<Rb1Case> ALL = List.of(
            new Rb1Case("lstm-small", Kind.SEQUENCE, CellType.LSTM, 1, 1, 64, 128, 32, 64),
            new Rb1Case("lstm-medium", Kind.SEQUENCE, CellType.LSTM, 2, 1, 256, 512, 64, 100),
            new Rb1Case("gru-medium", Kind.SEQUENCE, CellType.GRU, 2, 1, 256, 512, 64, 100),
            new Rb1Case("rnn-medium", Kind.SEQUENCE, CellType.RNN, 2, 1, 256, 512, 64, 100),
            new Rb1Case("lstm-large", Kind.SEQUENCE, CellType.LSTM, 1, 1, 1024, 1024, 64, 50),
            new Rb1Case("bilstm", Kind.SEQUENCE, CellType.LSTM, 1, 2, 128, 256, 32, 100),
            new Rb1Case("infer-step", Kind.STEP, CellType.LSTM, 2, 1, 512, 512, 1, 1),
            new Rb1Case("infer-step-gru", Kind.STEP, CellType.GRU, 2, 1, 512, 512, 1, 1),
            new Rb1Case("charlm", Kind.LANGUAGE_MODEL, CellType.LSTM, 2, 1, 64, 512, 64, 128));

    static Rb1Case named(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "--case: no case \"" + name + "\"; expected one of " + ALL.stream().map(Rb1Case::name).toList()));
    }

    /** Training needs a loss over a sequence; a single inference step has none. */
    boolean trains() {
        return kind != Kind.STEP;
    }

    /**
     * Forward FLOPs of one iteration: 2·B·T·(I + H)·G·H per layer and direction, I the layer's input width (D·H
     * above the first layer), G = 4 (LSTM), 3 (GRU), 1 (RNN). Embedding and decoder are not counted.
     */
    double forwardFlops() {
        double flops = 0;
        for (int k = 0; k < layers; k++) {
            int in = k == 0 ? input : directions * hidden;
            flops += directions * 2.0 * batch * steps * (in + hidden) * cell.gates() * hidden;
        }
        return flops;
    }
}
