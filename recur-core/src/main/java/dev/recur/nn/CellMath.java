package dev.recur.nn;

import dev.recur.kernel.Mat;

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
        int h = cPrev.cols();
        float[] gd = gates.data(), cp = cPrev.data(), cn = cNext.data(), m = mNext.data();
        for (int b = 0; b < lengths.length; b++) {
            if (t >= lengths[b]) continue;
            int g0 = row(gates, b), c0 = row(cPrev, b), c1 = row(cNext, b), m0 = row(mNext, b);
            for (int j = 0; j < h; j++) {
                float i = sigmoid(gd[g0 + j]), f = sigmoid(gd[g0 + h + j]);
                float g = (float) Math.tanh(gd[g0 + 2 * h + j]), o = sigmoid(gd[g0 + 3 * h + j]);
                gd[g0 + j] = i;
                gd[g0 + h + j] = f;
                gd[g0 + 2 * h + j] = g;
                gd[g0 + 3 * h + j] = o;
                float c = f * cp[c0 + j] + i * g;
                cn[c1 + j] = c;
                m[m0 + j] = o * (float) Math.tanh(c);
            }
        }
    }

    /**
     * LSTM backward. Reads dm [B, H] (the gradient of o ⊙ tanh(c')) and the saved i, f, g, o; writes the
     * pre-activation gradients into {@code dGates} [B, 4H], turns {@code dc} [B, H] from dc' into dc (modified)
     * and zeroes the running rows of {@code dh} [B, P], whose gradient then comes from dGates · W_hh alone.
     */
    static void lstmBackward(Mat gates, Mat cPrev, Mat cNext, Mat dm, Mat dh, Mat dc, Mat dGates, int[] lengths, int t) {
        int h = cPrev.cols(), p = dh.cols();
        float[] gd = gates.data(), cp = cPrev.data(), cn = cNext.data(), dmd = dm.data(), dcd = dc.data(), dg = dGates.data();
        for (int b = 0; b < lengths.length; b++) {
            if (t >= lengths[b]) continue;
            int g0 = row(gates, b), c0 = row(cPrev, b), c1 = row(cNext, b), m0 = row(dm, b), dc0 = row(dc, b), d0 = row(dGates, b);
            for (int j = 0; j < h; j++) {
                float i = gd[g0 + j], f = gd[g0 + h + j], g = gd[g0 + 2 * h + j], o = gd[g0 + 3 * h + j];
                float tc = (float) Math.tanh(cn[c1 + j]);
                float dmj = dmd[m0 + j];
                float dcj = dcd[dc0 + j] + dmj * o * (1 - tc * tc);
                dg[d0 + j] = dcj * g * i * (1 - i);
                dg[d0 + h + j] = dcj * cp[c0 + j] * f * (1 - f);
                dg[d0 + 2 * h + j] = dcj * i * (1 - g * g);
                dg[d0 + 3 * h + j] = dmj * tc * o * (1 - o);
                dcd[dc0 + j] = dcj * f;
            }
            int h0 = row(dh, b);
            for (int j = 0; j < p; j++) dh.data()[h0 + j] = 0f;
        }
    }

    /**
     * GRU forward. {@code gates} [B, 3H] holds W_ih x + b_ih and is overwritten with r, z, n; {@code hidden}
     * [B, 3H] holds W_hh h + b_hh. Writes h' = (1 − z) ⊙ n + z ⊙ h into {@code hNext} and W_hn h + b_hn into
     * {@code hiddenN} [B, H], which backward needs for the reset gate.
     */
    static void gruForward(Mat gates, Mat hidden, Mat hPrev, Mat hNext, Mat hiddenN, int[] lengths, int t) {
        int h = hPrev.cols();
        float[] gd = gates.data(), hg = hidden.data(), hp = hPrev.data(), hn = hNext.data(), sn = hiddenN.data();
        for (int b = 0; b < lengths.length; b++) {
            if (t >= lengths[b]) continue;
            int g0 = row(gates, b), a0 = row(hidden, b), p0 = row(hPrev, b), n0 = row(hNext, b), s0 = row(hiddenN, b);
            for (int j = 0; j < h; j++) {
                float r = sigmoid(gd[g0 + j] + hg[a0 + j]);
                float z = sigmoid(gd[g0 + h + j] + hg[a0 + h + j]);
                float hnj = hg[a0 + 2 * h + j];
                float n = (float) Math.tanh(gd[g0 + 2 * h + j] + r * hnj);
                gd[g0 + j] = r;
                gd[g0 + h + j] = z;
                gd[g0 + 2 * h + j] = n;
                sn[s0 + j] = hnj;
                hn[n0 + j] = (1 - z) * n + z * hp[p0 + j];
            }
        }
    }

    /**
     * GRU backward. Reads dh' from {@code dh} [B, H] and replaces it with its direct part dh' ⊙ z (modified);
     * writes the gradients of W_ih x + b_ih into {@code dGatesX} and of W_hh h + b_hh into {@code dGatesH} [B, 3H].
     */
    static void gruBackward(Mat gates, Mat hiddenN, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH, int[] lengths, int t) {
        int h = hPrev.cols();
        float[] gd = gates.data(), sn = hiddenN.data(), hp = hPrev.data(), dhd = dh.data(), dx = dGatesX.data(), dr = dGatesH.data();
        for (int b = 0; b < lengths.length; b++) {
            if (t >= lengths[b]) continue;
            int g0 = row(gates, b), s0 = row(hiddenN, b), p0 = row(hPrev, b), h0 = row(dh, b), x0 = row(dGatesX, b), r0 = row(dGatesH, b);
            for (int j = 0; j < h; j++) {
                float r = gd[g0 + j], z = gd[g0 + h + j], n = gd[g0 + 2 * h + j], d = dhd[h0 + j];
                float dn = d * (1 - z) * (1 - n * n);
                float dz = d * (hp[p0 + j] - n) * z * (1 - z);
                float drr = dn * sn[s0 + j] * r * (1 - r);
                dx[x0 + j] = drr;
                dx[x0 + h + j] = dz;
                dx[x0 + 2 * h + j] = dn;
                dr[r0 + j] = drr;
                dr[r0 + h + j] = dz;
                dr[r0 + 2 * h + j] = dn * r;
                dhd[h0 + j] = d * z;
            }
        }
    }

    /** Elman forward: h' = act(a), a the pre-activation in {@code gates} [B, H] (not modified). */
    static void rnnForward(Mat gates, Mat hNext, Nonlinearity act, int[] lengths, int t) {
        int h = hNext.cols();
        float[] gd = gates.data(), hn = hNext.data();
        for (int b = 0; b < lengths.length; b++) {
            if (t >= lengths[b]) continue;
            int g0 = row(gates, b), n0 = row(hNext, b);
            for (int j = 0; j < h; j++) {
                float a = gd[g0 + j];
                hn[n0 + j] = act == Nonlinearity.TANH ? (float) Math.tanh(a) : Math.max(a, 0f);
            }
        }
    }

    /** Elman backward: da = dh' ⊙ act'(a), from h' = act(a); zeroes the running rows of {@code dh} (modified). */
    static void rnnBackward(Mat hNext, Mat dh, Mat dGates, Nonlinearity act, int[] lengths, int t) {
        int h = hNext.cols();
        float[] hn = hNext.data(), dhd = dh.data(), dg = dGates.data();
        for (int b = 0; b < lengths.length; b++) {
            if (t >= lengths[b]) continue;
            int n0 = row(hNext, b), h0 = row(dh, b), d0 = row(dGates, b);
            for (int j = 0; j < h; j++) {
                float y = hn[n0 + j], d = dhd[h0 + j];
                dg[d0 + j] = act == Nonlinearity.TANH ? d * (1 - y * y) : (y > 0 ? d : 0f);
                dhd[h0 + j] = 0f;
            }
        }
    }

    /** Rows that have finished by step t keep their state: next[b] = prev[b] where t ≥ lengths[b]. */
    static void carry(Mat prev, Mat next, int[] lengths, int t) {
        for (int b = 0; b < lengths.length; b++) {
            if (t < lengths[b]) continue;
            System.arraycopy(prev.data(), row(prev, b), next.data(), row(next, b), prev.cols());
        }
    }

    /** m[r, :] += v for every row r. */
    static void addRow(Mat m, float[] v, int offset) {
        float[] d = m.data();
        for (int r = 0; r < m.rows(); r++) {
            int o = row(m, r);
            for (int j = 0; j < m.cols(); j++) d[o + j] += v[offset + j];
        }
    }

    /** into[j] += Σ_r m[r, j]. */
    static void sumRowsAdd(Mat m, float[] into, int offset) {
        float[] d = m.data();
        for (int r = 0; r < m.rows(); r++) {
            int o = row(m, r);
            for (int j = 0; j < m.cols(); j++) into[offset + j] += d[o + j];
        }
    }

    static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    private static int row(Mat m, int b) {
        return m.offset() + b * m.stride();
    }
}
