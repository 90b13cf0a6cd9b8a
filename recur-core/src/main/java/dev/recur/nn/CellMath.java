package dev.recur.nn;

import dev.recur.kernel.Kernels;
import dev.recur.kernel.Mat;
import java.util.Arrays;

/**
 * The pointwise gate math of one time step, shared by the fused sequence op and the cells. Each method runs over
 * the B rows of its [B, ·] views and touches only rows still running at step t (t < lengths[b]); the caller
 * carries the other rows' state. Derivations: docs/derivations/lstm.md, gru.md, rnn.md.
 */
final class CellMath {
    private CellMath() {}

    /**
     * LSTM forward. {@code gates} [B, 4H] holds pre-activations and is overwritten with i, f, g, o; writes
     * c' = f ⊙ c + i ⊙ g into {@code cNext} and m = o ⊙ tanh(c') into {@code mNext} [B, H].
     */
    static void lstmForward(Mat gates, Mat cPrev, Mat cNext, Mat mNext, int[] lengths, int t) {
        Kernels k = Kernels.get();
        for (int b0 = runStart(lengths, t, 0), b1; b0 < lengths.length; b0 = runStart(lengths, t, b1)) {
            b1 = runEnd(lengths, t, b0);
            k.lstmCell(gates.rows(b0, b1), cPrev.rows(b0, b1), cNext.rows(b0, b1), mNext.rows(b0, b1));
        }
    }

    /**
     * LSTM backward. Reads dm [B, H] (the gradient of o ⊙ tanh(c')) and the saved i, f, g, o; writes the
     * pre-activation gradients into {@code dGates} [B, 4H], turns {@code dc} [B, H] from dc' into dc (modified)
     * and zeroes the running rows of {@code dh} [B, P], whose gradient then comes from dGates · W_hh alone.
     */
    static void lstmBackward(Mat gates, Mat cPrev, Mat cNext, Mat dm, Mat dh, Mat dc, Mat dGates, int[] lengths, int t) {
        Kernels k = Kernels.get();
        for (int b0 = runStart(lengths, t, 0), b1; b0 < lengths.length; b0 = runStart(lengths, t, b1)) {
            b1 = runEnd(lengths, t, b0);
            k.lstmCellBackward(gates.rows(b0, b1), cPrev.rows(b0, b1), cNext.rows(b0, b1), dm.rows(b0, b1), dc.rows(b0, b1),
                    dGates.rows(b0, b1));
            // dm may be dh itself (no projection): it is read above before it is cleared here.
            for (int b = b0; b < b1; b++) Arrays.fill(dh.data(), row(dh, b), row(dh, b) + dh.cols(), 0f);
        }
    }

    /**
     * GRU forward. {@code gates} [B, 3H] holds W_ih x + b_ih and is overwritten with r, z, n; {@code hidden}
     * [B, 3H] holds W_hh h + b_hh. Writes h' = (1 − z) ⊙ n + z ⊙ h into {@code hNext} and W_hn h + b_hn into
     * {@code hiddenN} [B, H], which backward needs for the reset gate.
     */
    static void gruForward(Mat gates, Mat hidden, Mat hPrev, Mat hNext, Mat hiddenN, int[] lengths, int t) {
        Kernels k = Kernels.get();
        for (int b0 = runStart(lengths, t, 0), b1; b0 < lengths.length; b0 = runStart(lengths, t, b1)) {
            b1 = runEnd(lengths, t, b0);
            k.gruCell(gates.rows(b0, b1), hidden.rows(b0, b1), hPrev.rows(b0, b1), hNext.rows(b0, b1), hiddenN.rows(b0, b1));
        }
    }

    /**
     * GRU backward. Reads dh' from {@code dh} [B, H] and replaces it with its direct part dh' ⊙ z (modified);
     * writes the gradients of W_ih x + b_ih into {@code dGatesX} and of W_hh h + b_hh into {@code dGatesH} [B, 3H].
     */
    static void gruBackward(Mat gates, Mat hiddenN, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH, int[] lengths, int t) {
        Kernels k = Kernels.get();
        for (int b0 = runStart(lengths, t, 0), b1; b0 < lengths.length; b0 = runStart(lengths, t, b1)) {
            b1 = runEnd(lengths, t, b0);
            k.gruCellBackward(gates.rows(b0, b1), hiddenN.rows(b0, b1), hPrev.rows(b0, b1), dh.rows(b0, b1),
                    dGatesX.rows(b0, b1), dGatesH.rows(b0, b1));
        }
    }

    /**
     * Reset-before GRU forward, first half: over the r, z columns of {@code gates} [B, 3H] (W_ih x + b_ih) and of
     * {@code hidden} [B, 2H] (W_hh h + b_hh), writes r and z into {@code gates} and r ⊙ h into {@code resetH} [B, H].
     */
    static void gruResetGates(Mat gates, Mat hidden, Mat hPrev, Mat resetH, int[] lengths, int t) {
        Kernels k = Kernels.get();
        for (int b0 = runStart(lengths, t, 0), b1; b0 < lengths.length; b0 = runStart(lengths, t, b1)) {
            b1 = runEnd(lengths, t, b0);
            k.gruResetGates(gates.rows(b0, b1), hidden.rows(b0, b1), hPrev.rows(b0, b1), resetH.rows(b0, b1));
        }
    }

    /**
     * Reset-before GRU forward, second half: n = tanh(W_in x + b_in + {@code hiddenN}) [B, H] (W_hn (r ⊙ h) + b_hn)
     * into the n columns of {@code gates}, and h' = (1 − z) ⊙ n + z ⊙ h into {@code hNext}.
     */
    static void gruResetBeforeForward(Mat gates, Mat hiddenN, Mat hPrev, Mat hNext, int[] lengths, int t) {
        Kernels k = Kernels.get();
        for (int b0 = runStart(lengths, t, 0), b1; b0 < lengths.length; b0 = runStart(lengths, t, b1)) {
            b1 = runEnd(lengths, t, b0);
            k.gruResetBeforeCell(gates.rows(b0, b1), hiddenN.rows(b0, b1), hPrev.rows(b0, b1), hNext.rows(b0, b1));
        }
    }

    /**
     * Reset-before GRU backward, second half: reads dh' from {@code dh} [B, H] and replaces it with dh' ⊙ z (modified);
     * writes dz and dn (pre-activation) into the z and n columns of {@code dGatesX} and {@code dGatesH} [B, 3H].
     */
    static void gruResetBeforeBackward(Mat gates, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH, int[] lengths, int t) {
        Kernels k = Kernels.get();
        for (int b0 = runStart(lengths, t, 0), b1; b0 < lengths.length; b0 = runStart(lengths, t, b1)) {
            b1 = runEnd(lengths, t, b0);
            k.gruResetBeforeCellBackward(gates.rows(b0, b1), hPrev.rows(b0, b1), dh.rows(b0, b1), dGatesX.rows(b0, b1),
                    dGatesH.rows(b0, b1));
        }
    }

    /**
     * Reset-before GRU backward, first half: from d(r ⊙ h) in {@code dResetH} [B, H], writes dr (pre-activation) into
     * the r columns of {@code dGatesX} and {@code dGatesH} and adds d(r ⊙ h) ⊙ r to {@code dh} (modified).
     */
    static void gruResetGatesBackward(Mat gates, Mat hPrev, Mat dResetH, Mat dh, Mat dGatesX, Mat dGatesH, int[] lengths, int t) {
        Kernels k = Kernels.get();
        for (int b0 = runStart(lengths, t, 0), b1; b0 < lengths.length; b0 = runStart(lengths, t, b1)) {
            b1 = runEnd(lengths, t, b0);
            k.gruResetGatesBackward(gates.rows(b0, b1), hPrev.rows(b0, b1), dResetH.rows(b0, b1), dh.rows(b0, b1),
                    dGatesX.rows(b0, b1), dGatesH.rows(b0, b1));
        }
    }

    /** Elman forward: h' = act(a), a the pre-activation in {@code gates} [B, H] (not modified). */
    static void rnnForward(Mat gates, Mat hNext, Nonlinearity act, int[] lengths, int t) {
        Kernels k = Kernels.get();
        for (int b0 = runStart(lengths, t, 0), b1; b0 < lengths.length; b0 = runStart(lengths, t, b1)) {
            b1 = runEnd(lengths, t, b0);
            k.rnnCell(gates.rows(b0, b1), hNext.rows(b0, b1), act.kernel);
        }
    }

    /** Elman backward: da = dh' ⊙ act'(a), from h' = act(a); zeroes the running rows of {@code dh} (modified). */
    static void rnnBackward(Mat hNext, Mat dh, Mat dGates, Nonlinearity act, int[] lengths, int t) {
        Kernels k = Kernels.get();
        for (int b0 = runStart(lengths, t, 0), b1; b0 < lengths.length; b0 = runStart(lengths, t, b1)) {
            b1 = runEnd(lengths, t, b0);
            k.rnnCellBackward(hNext.rows(b0, b1), dh.rows(b0, b1), dGates.rows(b0, b1), act.kernel);
            for (int b = b0; b < b1; b++) Arrays.fill(dh.data(), row(dh, b), row(dh, b) + dh.cols(), 0f);
        }
    }

    /** Rows that have finished by step t keep their state: next[b] = prev[b] where t ≥ lengths[b]. */
    static void carry(Mat prev, Mat next, int[] lengths, int t) {
        for (int b = 0; b < lengths.length; b++) {
            if (t < lengths[b]) continue;
            System.arraycopy(prev.data(), row(prev, b), next.data(), row(next, b), prev.cols());
        }
    }

    /** The first row at or after {@code from} still running at step t, or B. */
    private static int runStart(int[] lengths, int t, int from) {
        while (from < lengths.length && t >= lengths[from]) from++;
        return from;
    }

    /** The end of the run of rows running at step t that starts at {@code from}. */
    private static int runEnd(int[] lengths, int t, int from) {
        while (from < lengths.length && t < lengths[from]) from++;
        return from;
    }

    private static int row(Mat m, int b) {
        return m.offset() + b * m.stride();
    }
}
