package dev.recur.nn;

/** The recurrent cell of a layer, with the number of gate blocks its weights stack (G = gates · H). */
public enum CellType {
    /** Elman cell: h' = act(W_ih x + b_ih + W_hh h + b_hh). */
    RNN(1),
    /** Long short-term memory, gates i, f, g, o. */
    LSTM(4),
    /** Gated recurrent unit, gates r, z, n. */
    GRU(3);

    private final int gates;

    CellType(int gates) {
        this.gates = gates;
    }

    /** How many H-row blocks weight_ih and weight_hh stack: 1, 4 or 3. */
    public int gates() {
        return gates;
    }
}
