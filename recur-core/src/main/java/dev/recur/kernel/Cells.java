package dev.recur.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The pointwise gate math of one recurrent step on the Vector API, for {@link VectorKernels}: one vector of L
 * hidden units at a time, all gates of those units together, with σ and tanh from {@link Activations}. The last
 * partial vector of a row runs masked through the same code, so no element takes another formula. The equations
 * are those of {@link ScalarKernels}, the oracle these are tested against.
 */
final class Cells {
    private static final VectorSpecies<Float> S = VectorKernels.SPECIES;
    private static final int L = S.length();

    private Cells() {}

    static void lstm(Mat gates, Mat cPrev, Mat cNext, Mat mNext) {
        if (transposed(gates, cPrev, cNext, mNext)) {
            Kernels.scalar().lstmCell(gates, cPrev, cNext, mNext);
            return;
        }
        int h = cPrev.cols();
        float[] g = gates.data(), cp = cPrev.data(), cn = cNext.data(), m = mNext.data();
        for (int b = 0; b < gates.rows(); b++) {
            int g0 = row(gates, b), c0 = row(cPrev, b), c1 = row(cNext, b), m0 = row(mNext, b);
            // Each activation is its own short loop over a row: one transcendental per loop keeps every loop small
            // enough for C2 to inline and keep in registers (one loop with all five boxed its vectors).
            Activations.sigmoid(g, g0, g, g0, 2 * h);                  // i, f
            Activations.tanh(g, g0 + 2 * h, g, g0 + 2 * h, h);         // g
            Activations.sigmoid(g, g0 + 3 * h, g, g0 + 3 * h, h);      // o
            int j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) lstmState(g, g0 + j, h, cp, c0 + j, cn, c1 + j, m, m0 + j, null);
            if (j < h) lstmState(g, g0 + j, h, cp, c0 + j, cn, c1 + j, m, m0 + j, S.indexInRange(j, h));
        }
    }

    /** c' = f ⊙ c + i ⊙ g and m = o ⊙ tanh(c') for L units from the activated gates at g[gi + q·h]. */
    private static void lstmState(float[] g, int gi, int h, float[] cp, int ci, float[] cn, int ni, float[] m, int mi,
            VectorMask<Float> k) {
        FloatVector c = load(g, gi + h, k).mul(load(cp, ci, k)).add(load(g, gi, k).mul(load(g, gi + 2 * h, k)));
        store(c, cn, ni, k);
        store(load(g, gi + 3 * h, k).mul(Activations.tanh(c)), m, mi, k);
    }

    static void lstmBackward(Mat gates, Mat cPrev, Mat cNext, Mat dm, Mat dc, Mat dGates) {
        if (transposed(gates, cPrev, cNext, dm, dc, dGates)) {
            Kernels.scalar().lstmCellBackward(gates, cPrev, cNext, dm, dc, dGates);
            return;
        }
        int h = cPrev.cols();
        for (int b = 0; b < gates.rows(); b++) {
            int j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) lstmBackward(gates, cPrev, cNext, dm, dc, dGates, b, j, h, null);
            if (j < h) lstmBackward(gates, cPrev, cNext, dm, dc, dGates, b, j, h, S.indexInRange(j, h));
        }
    }

    private static void lstmBackward(Mat gates, Mat cPrev, Mat cNext, Mat dm, Mat dc, Mat dGates, int b, int j, int h,
            VectorMask<Float> k) {
        float[] g = gates.data(), dg = dGates.data();
        int gi = row(gates, b) + j, di = row(dGates, b) + j, ci = row(dc, b) + j;
        FloatVector i = load(g, gi, k), f = load(g, gi + h, k), gg = load(g, gi + 2 * h, k), o = load(g, gi + 3 * h, k);
        FloatVector tc = Activations.tanh(load(cNext.data(), row(cNext, b) + j, k));
        FloatVector dmj = load(dm.data(), row(dm, b) + j, k);
        // dc = dc' + dm ⊙ o ⊙ (1 − tanh²c'); then each gate's gradient through σ' = σ(1 − σ) or tanh' = 1 − tanh².
        FloatVector dcj = dmj.mul(o).mul(one().sub(tc.mul(tc))).add(load(dc.data(), ci, k));
        store(dcj.mul(gg).mul(i).mul(one().sub(i)), dg, di, k);
        store(dcj.mul(load(cPrev.data(), row(cPrev, b) + j, k)).mul(f).mul(one().sub(f)), dg, di + h, k);
        store(dcj.mul(i).mul(one().sub(gg.mul(gg))), dg, di + 2 * h, k);
        store(dmj.mul(tc).mul(o).mul(one().sub(o)), dg, di + 3 * h, k);
        store(dcj.mul(f), dc.data(), ci, k);
    }

    static void gru(Mat gates, Mat hidden, Mat hPrev, Mat hNext, Mat hiddenN) {
        if (transposed(gates, hidden, hPrev, hNext, hiddenN)) {
            Kernels.scalar().gruCell(gates, hidden, hPrev, hNext, hiddenN);
            return;
        }
        int h = hPrev.cols();
        float[] g = gates.data(), a = hidden.data();
        for (int b = 0; b < gates.rows(); b++) {
            int g0 = row(gates, b), a0 = row(hidden, b);
            // r, z = σ(W_i· x + b_i· + W_h· h + b_h·), in place over the first 2H columns; then n and h' per unit.
            for (int j = 0; j < 2 * h; j++) g[g0 + j] += a[a0 + j];
            Activations.sigmoid(g, g0, g, g0, 2 * h);
            int j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) gruState(gates, hidden, hPrev, hNext, hiddenN, b, j, h, null);
            if (j < h) gruState(gates, hidden, hPrev, hNext, hiddenN, b, j, h, S.indexInRange(j, h));
        }
    }

    /** n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) and h' = (1 − z) ⊙ n + z ⊙ h for L units. */
    private static void gruState(Mat gates, Mat hidden, Mat hPrev, Mat hNext, Mat hiddenN, int b, int j, int h,
            VectorMask<Float> k) {
        float[] g = gates.data(), a = hidden.data();
        int gi = row(gates, b) + j, ai = row(hidden, b) + j;
        FloatVector r = load(g, gi, k), z = load(g, gi + h, k), hn = load(a, ai + 2 * h, k);
        FloatVector n = Activations.tanh(r.fma(hn, load(g, gi + 2 * h, k)));
        store(n, g, gi + 2 * h, k);
        store(hn, hiddenN.data(), row(hiddenN, b) + j, k);
        FloatVector hp = load(hPrev.data(), row(hPrev, b) + j, k);
        store(one().sub(z).mul(n).add(z.mul(hp)), hNext.data(), row(hNext, b) + j, k);
    }

    static void gruBackward(Mat gates, Mat hiddenN, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH) {
        if (transposed(gates, hiddenN, hPrev, dh, dGatesX, dGatesH)) {
            Kernels.scalar().gruCellBackward(gates, hiddenN, hPrev, dh, dGatesX, dGatesH);
            return;
        }
        int h = hPrev.cols();
        for (int b = 0; b < gates.rows(); b++) {
            int j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) gruBackward(gates, hiddenN, hPrev, dh, dGatesX, dGatesH, b, j, h, null);
            if (j < h) gruBackward(gates, hiddenN, hPrev, dh, dGatesX, dGatesH, b, j, h, S.indexInRange(j, h));
        }
    }

    private static void gruBackward(Mat gates, Mat hiddenN, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH, int b, int j, int h,
            VectorMask<Float> k) {
        float[] g = gates.data(), dx = dGatesX.data(), dr = dGatesH.data();
        int gi = row(gates, b) + j, xi = row(dGatesX, b) + j, ri = row(dGatesH, b) + j, hi = row(dh, b) + j;
        FloatVector r = load(g, gi, k), z = load(g, gi + h, k), n = load(g, gi + 2 * h, k), d = load(dh.data(), hi, k);
        FloatVector dn = d.mul(one().sub(z)).mul(one().sub(n.mul(n)));
        FloatVector dz = d.mul(load(hPrev.data(), row(hPrev, b) + j, k).sub(n)).mul(z).mul(one().sub(z));
        FloatVector drr = dn.mul(load(hiddenN.data(), row(hiddenN, b) + j, k)).mul(r).mul(one().sub(r));
        store(drr, dx, xi, k);
        store(dz, dx, xi + h, k);
        store(dn, dx, xi + 2 * h, k);
        store(drr, dr, ri, k);
        store(dz, dr, ri + h, k);
        store(dn.mul(r), dr, ri + 2 * h, k);
        store(d.mul(z), dh.data(), hi, k);
    }

    private static FloatVector one() {
        return FloatVector.broadcast(S, 1f);
    }

    private static FloatVector load(float[] a, int i, VectorMask<Float> k) {
        return k == null ? FloatVector.fromArray(S, a, i) : FloatVector.fromArray(S, a, i, k);
    }

    private static void store(FloatVector v, float[] a, int i, VectorMask<Float> k) {
        if (k == null) v.intoArray(a, i);
        else v.intoArray(a, i, k);
    }

    private static int row(Mat m, int b) {
        return m.offset() + b * m.stride();
    }

    private static boolean transposed(Mat... views) {
        for (Mat m : views) if (m.transposed()) return true;
        return false;
    }
}
