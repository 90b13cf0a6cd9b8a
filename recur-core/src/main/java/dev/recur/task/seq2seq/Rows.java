package dev.recur.task.seq2seq;

import dev.recur.tensor.Tensor;

/** Gathers batch rows of time- or layer-major tensors, for beam search's reordering. */
final class Rows {
    private Rows() {}

    /** Rows {@code rows} of the batch axis: axis 0 of [N, F], axis 1 of [L, N, F]; a new tensor. */
    static Tensor select(Tensor t, int[] rows) {
        if (t.rank() == 2) return select(t.reshape(1, t.dim(0), t.dim(1)), rows).reshape(rows.length, t.dim(1));
        int l = t.dim(0), n = t.dim(1), f = t.dim(2);
        Tensor out = Tensor.zeros(l, rows.length, f);
        float[] src = t.data(), dst = out.data();
        for (int i = 0; i < l; i++) {
            for (int r = 0; r < rows.length; r++) System.arraycopy(src, t.offset() + (i * n + rows[r]) * f, dst, (i * rows.length + r) * f, f);
        }
        return out;
    }
}
