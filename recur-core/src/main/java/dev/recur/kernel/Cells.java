package dev.recur.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The pointwise gate math of one recurrent step on the Vector API, for {@link VectorKernels}: one vector of L
 * hidden units at a time, with σ and tanh from {@link Activations}, each transcendental in a loop of its own. The
 * last partial vector of a row runs through the same code on a padded copy (the activations) or as a scalar loop
 * with the same operations in the same order, so no element takes another formula. The equations are those of
 * {@link ScalarKernels}, the oracle these are tested against.
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
            // c' = f ⊙ c + i ⊙ g; then tanh(c') into m in a loop of its own, and m = o ⊙ tanh(c'). With tanh inside
            // one per-vector loop (a helper with a mask argument) the cell took 7.2–7.8 ns per unit on JDK 17 and
            // 5.0–5.8 written so, 32×512 steps over a run's buffers; JDK 25 ran both alike.
            int j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) {
                FloatVector.fromArray(S, g, g0 + h + j).mul(FloatVector.fromArray(S, cp, c0 + j))
                        .add(FloatVector.fromArray(S, g, g0 + j).mul(FloatVector.fromArray(S, g, g0 + 2 * h + j)))
                        .intoArray(cn, c1 + j);
            }
            for (; j < h; j++) cn[c1 + j] = g[g0 + h + j] * cp[c0 + j] + g[g0 + j] * g[g0 + 2 * h + j];
            Activations.tanh(cn, c1, m, m0, h);
            j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) {
                FloatVector.fromArray(S, g, g0 + 3 * h + j).mul(FloatVector.fromArray(S, m, m0 + j)).intoArray(m, m0 + j);
            }
            for (; j < h; j++) m[m0 + j] = g[g0 + 3 * h + j] * m[m0 + j];
        }
    }

    static void lstmBackward(Mat gates, Mat cPrev, Mat cNext, Mat dm, Mat dc, Mat dGates) {
        if (transposed(gates, cPrev, cNext, dm, dc, dGates)) {
            Kernels.scalar().lstmCellBackward(gates, cPrev, cNext, dm, dc, dGates);
            return;
        }
        int h = cPrev.cols();
        float[] g = gates.data(), cp = cPrev.data(), cn = cNext.data(), dmd = dm.data(), dcd = dc.data(), dg = dGates.data();
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int b = 0; b < gates.rows(); b++) {
            int gi = row(gates, b), pi = row(cPrev, b), ni = row(cNext, b), mi = row(dm, b), ci = row(dc, b), di = row(dGates, b);
            // tanh(c') in a loop of its own (one transcendental per loop, as in the forward pass: with tanh inside a
            // per-vector helper this loop measured ~10x slower), parked in the o-gate slot
            // of dGates, which each unit reads before it writes its own gradient there.
            int t = di + 3 * h;
            Activations.tanh(cn, ni, dg, t, h);
            int j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) {
                FloatVector i = FloatVector.fromArray(S, g, gi + j), f = FloatVector.fromArray(S, g, gi + h + j);
                FloatVector gg = FloatVector.fromArray(S, g, gi + 2 * h + j), o = FloatVector.fromArray(S, g, gi + 3 * h + j);
                FloatVector tc = FloatVector.fromArray(S, dg, t + j), dmj = FloatVector.fromArray(S, dmd, mi + j);
                // dc = dc' + dm ⊙ o ⊙ (1 − tanh²c'); then each gate's gradient through σ' = σ(1 − σ) or tanh' = 1 − tanh².
                FloatVector dcj = dmj.mul(o).mul(one.sub(tc.mul(tc))).add(FloatVector.fromArray(S, dcd, ci + j));
                dcj.mul(gg).mul(i).mul(one.sub(i)).intoArray(dg, di + j);
                dcj.mul(FloatVector.fromArray(S, cp, pi + j)).mul(f).mul(one.sub(f)).intoArray(dg, di + h + j);
                dcj.mul(i).mul(one.sub(gg.mul(gg))).intoArray(dg, di + 2 * h + j);
                dmj.mul(tc).mul(o).mul(one.sub(o)).intoArray(dg, t + j);
                dcj.mul(f).intoArray(dcd, ci + j);
            }
            for (; j < h; j++) {   // the same operations in the same order, one unit at a time
                float i = g[gi + j], f = g[gi + h + j], gg = g[gi + 2 * h + j], o = g[gi + 3 * h + j];
                float tc = dg[t + j], dmj = dmd[mi + j];
                float dcj = dmj * o * (1f - tc * tc) + dcd[ci + j];
                dg[di + j] = dcj * gg * i * (1f - i);
                dg[di + h + j] = dcj * cp[pi + j] * f * (1f - f);
                dg[di + 2 * h + j] = dcj * i * (1f - gg * gg);
                dg[t + j] = dmj * tc * o * (1f - o);
                dcd[ci + j] = dcj * f;
            }
        }
    }

    static void gru(Mat gates, Mat hidden, Mat hPrev, Mat hNext, Mat hiddenN) {
        if (transposed(gates, hidden, hPrev, hNext, hiddenN)) {
            Kernels.scalar().gruCell(gates, hidden, hPrev, hNext, hiddenN);
            return;
        }
        int h = hPrev.cols();
        float[] g = gates.data(), a = hidden.data(), hp = hPrev.data(), hn = hNext.data(), an = hiddenN.data();
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int b = 0; b < gates.rows(); b++) {
            int g0 = row(gates, b), a0 = row(hidden, b), p0 = row(hPrev, b), n0 = row(hNext, b), s0 = row(hiddenN, b);
            // As in the LSTM cells, each transcendental has a loop of its own and the loops between them none:
            // r, z = σ(W_i· x + b_i· + W_h· h + b_h·) in place over the first 2H columns; then the pre-activation of n,
            // W_in x + b_in + r ⊙ (W_hn h + b_hn), in place in the n slot; tanh over it; then h' per unit.
            for (int j = 0; j < 2 * h; j++) g[g0 + j] += a[a0 + j];
            Activations.sigmoid(g, g0, g, g0, 2 * h);
            int gn = g0 + 2 * h, j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) {
                FloatVector r = FloatVector.fromArray(S, g, g0 + j), w = FloatVector.fromArray(S, a, a0 + 2 * h + j);
                r.fma(w, FloatVector.fromArray(S, g, gn + j)).intoArray(g, gn + j);
                w.intoArray(an, s0 + j);
            }
            for (; j < h; j++) {
                float w = a[a0 + 2 * h + j];
                g[gn + j] = Math.fma(g[g0 + j], w, g[gn + j]);
                an[s0 + j] = w;
            }
            Activations.tanh(g, gn, g, gn, h);
            j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) {
                FloatVector z = FloatVector.fromArray(S, g, g0 + h + j), n = FloatVector.fromArray(S, g, gn + j);
                one.sub(z).mul(n).add(z.mul(FloatVector.fromArray(S, hp, p0 + j))).intoArray(hn, n0 + j);
            }
            for (; j < h; j++) {
                float z = g[g0 + h + j];
                hn[n0 + j] = (1f - z) * g[gn + j] + z * hp[p0 + j];
            }
        }
    }

    static void gruBackward(Mat gates, Mat hiddenN, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH) {
        if (transposed(gates, hiddenN, hPrev, dh, dGatesX, dGatesH)) {
            Kernels.scalar().gruCellBackward(gates, hiddenN, hPrev, dh, dGatesX, dGatesH);
            return;
        }
        int h = hPrev.cols();
        float[] g = gates.data(), hn = hiddenN.data(), hp = hPrev.data(), d = dh.data(), dx = dGatesX.data(), dr = dGatesH.data();
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int b = 0; b < gates.rows(); b++) {
            int g0 = row(gates, b), n0 = row(hiddenN, b), p0 = row(hPrev, b), d0 = row(dh, b);
            int x0 = row(dGatesX, b), r0 = row(dGatesH, b), j = 0;
            // One loop, no per-vector helper: on JDK 17 a helper compiled on its own first may not be inlined, and
            // then every vector crossing the call is boxed.
            for (int bound = S.loopBound(h); j < bound; j += L) {
                FloatVector r = FloatVector.fromArray(S, g, g0 + j), z = FloatVector.fromArray(S, g, g0 + h + j);
                FloatVector n = FloatVector.fromArray(S, g, g0 + 2 * h + j), dv = FloatVector.fromArray(S, d, d0 + j);
                FloatVector dn = dv.mul(one.sub(z)).mul(one.sub(n.mul(n)));
                FloatVector dz = dv.mul(FloatVector.fromArray(S, hp, p0 + j).sub(n)).mul(z).mul(one.sub(z));
                FloatVector drr = dn.mul(FloatVector.fromArray(S, hn, n0 + j)).mul(r).mul(one.sub(r));
                drr.intoArray(dx, x0 + j);
                dz.intoArray(dx, x0 + h + j);
                dn.intoArray(dx, x0 + 2 * h + j);
                drr.intoArray(dr, r0 + j);
                dz.intoArray(dr, r0 + h + j);
                dn.mul(r).intoArray(dr, r0 + 2 * h + j);
                dv.mul(z).intoArray(d, d0 + j);
            }
            for (; j < h; j++) {   // the same operations in the same order
                float r = g[g0 + j], z = g[g0 + h + j], n = g[g0 + 2 * h + j], dv = d[d0 + j];
                float dn = dv * (1f - z) * (1f - n * n);
                float dz = dv * (hp[p0 + j] - n) * z * (1f - z);
                float drr = dn * hn[n0 + j] * r * (1f - r);
                dx[x0 + j] = drr;
                dx[x0 + h + j] = dz;
                dx[x0 + 2 * h + j] = dn;
                dr[r0 + j] = drr;
                dr[r0 + h + j] = dz;
                dr[r0 + 2 * h + j] = dn * r;
                d[d0 + j] = dv * z;
            }
        }
    }

    /** r, z and r ⊙ h of a reset-before GRU step, as {@link Kernels#gruResetGates}. */
    static void gruResetGates(Mat gates, Mat hidden, Mat hPrev, Mat resetH) {
        if (transposed(gates, hidden, hPrev, resetH)) {
            Kernels.scalar().gruResetGates(gates, hidden, hPrev, resetH);
            return;
        }
        int h = hPrev.cols();
        float[] g = gates.data(), a = hidden.data(), hp = hPrev.data(), rh = resetH.data();
        for (int b = 0; b < gates.rows(); b++) {
            int g0 = row(gates, b), a0 = row(hidden, b), p0 = row(hPrev, b), s0 = row(resetH, b);
            for (int j = 0; j < 2 * h; j++) g[g0 + j] += a[a0 + j];
            Activations.sigmoid(g, g0, g, g0, 2 * h);
            int j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) {
                FloatVector.fromArray(S, g, g0 + j).mul(FloatVector.fromArray(S, hp, p0 + j)).intoArray(rh, s0 + j);
            }
            for (; j < h; j++) rh[s0 + j] = g[g0 + j] * hp[p0 + j];
        }
    }

    /** n and h' of a reset-before GRU step, as {@link Kernels#gruResetBeforeCell}. */
    static void gruResetBefore(Mat gates, Mat hiddenN, Mat hPrev, Mat hNext) {
        if (transposed(gates, hiddenN, hPrev, hNext)) {
            Kernels.scalar().gruResetBeforeCell(gates, hiddenN, hPrev, hNext);
            return;
        }
        int h = hPrev.cols();
        float[] g = gates.data(), an = hiddenN.data(), hp = hPrev.data(), hn = hNext.data();
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int b = 0; b < gates.rows(); b++) {
            int g0 = row(gates, b), s0 = row(hiddenN, b), p0 = row(hPrev, b), n0 = row(hNext, b), gn = g0 + 2 * h;
            // The pre-activation of n in place in its slot, tanh over it in a loop of its own, then h' per unit.
            for (int j = 0; j < h; j++) g[gn + j] += an[s0 + j];
            Activations.tanh(g, gn, g, gn, h);
            int j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) {
                FloatVector z = FloatVector.fromArray(S, g, g0 + h + j), n = FloatVector.fromArray(S, g, gn + j);
                one.sub(z).mul(n).add(z.mul(FloatVector.fromArray(S, hp, p0 + j))).intoArray(hn, n0 + j);
            }
            for (; j < h; j++) {
                float z = g[g0 + h + j];
                hn[n0 + j] = (1f - z) * g[gn + j] + z * hp[p0 + j];
            }
        }
    }

    /** dz, dn and dh' ⊙ z of a reset-before GRU step, as {@link Kernels#gruResetBeforeCellBackward}. */
    static void gruResetBeforeBackward(Mat gates, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH) {
        if (transposed(gates, hPrev, dh, dGatesX, dGatesH)) {
            Kernels.scalar().gruResetBeforeCellBackward(gates, hPrev, dh, dGatesX, dGatesH);
            return;
        }
        int h = hPrev.cols();
        float[] g = gates.data(), hp = hPrev.data(), d = dh.data(), dx = dGatesX.data(), dr = dGatesH.data();
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int b = 0; b < gates.rows(); b++) {
            int g0 = row(gates, b), p0 = row(hPrev, b), d0 = row(dh, b), x0 = row(dGatesX, b), r0 = row(dGatesH, b), j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) {
                FloatVector z = FloatVector.fromArray(S, g, g0 + h + j), n = FloatVector.fromArray(S, g, g0 + 2 * h + j);
                FloatVector dv = FloatVector.fromArray(S, d, d0 + j);
                FloatVector dn = dv.mul(one.sub(z)).mul(one.sub(n.mul(n)));
                FloatVector dz = dv.mul(FloatVector.fromArray(S, hp, p0 + j).sub(n)).mul(z).mul(one.sub(z));
                dz.intoArray(dx, x0 + h + j);
                dn.intoArray(dx, x0 + 2 * h + j);
                dz.intoArray(dr, r0 + h + j);
                dn.intoArray(dr, r0 + 2 * h + j);
                dv.mul(z).intoArray(d, d0 + j);
            }
            for (; j < h; j++) {   // the same operations in the same order
                float z = g[g0 + h + j], n = g[g0 + 2 * h + j], dv = d[d0 + j];
                float dn = dv * (1f - z) * (1f - n * n);
                float dz = dv * (hp[p0 + j] - n) * z * (1f - z);
                dx[x0 + h + j] = dz;
                dx[x0 + 2 * h + j] = dn;
                dr[r0 + h + j] = dz;
                dr[r0 + 2 * h + j] = dn;
                d[d0 + j] = dv * z;
            }
        }
    }

    /** dr and dh += d(r ⊙ h) ⊙ r of a reset-before GRU step, as {@link Kernels#gruResetGatesBackward}. */
    static void gruResetGatesBackward(Mat gates, Mat hPrev, Mat dResetH, Mat dh, Mat dGatesX, Mat dGatesH) {
        if (transposed(gates, hPrev, dResetH, dh, dGatesX, dGatesH)) {
            Kernels.scalar().gruResetGatesBackward(gates, hPrev, dResetH, dh, dGatesX, dGatesH);
            return;
        }
        int h = hPrev.cols();
        float[] g = gates.data(), hp = hPrev.data(), drh = dResetH.data(), d = dh.data(), dx = dGatesX.data(), dr = dGatesH.data();
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int b = 0; b < gates.rows(); b++) {
            int g0 = row(gates, b), p0 = row(hPrev, b), q0 = row(dResetH, b), d0 = row(dh, b), x0 = row(dGatesX, b), r0 = row(dGatesH, b);
            int j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) {
                FloatVector r = FloatVector.fromArray(S, g, g0 + j), q = FloatVector.fromArray(S, drh, q0 + j);
                FloatVector drr = q.mul(FloatVector.fromArray(S, hp, p0 + j)).mul(r).mul(one.sub(r));
                drr.intoArray(dx, x0 + j);
                drr.intoArray(dr, r0 + j);
                FloatVector.fromArray(S, d, d0 + j).add(q.mul(r)).intoArray(d, d0 + j);
            }
            for (; j < h; j++) {
                float r = g[g0 + j], q = drh[q0 + j];
                float drr = q * hp[p0 + j] * r * (1f - r);
                dx[x0 + j] = drr;
                dr[r0 + j] = drr;
                d[d0 + j] = d[d0 + j] + q * r;
            }
        }
    }

    static void rnn(Mat pre, Mat hNext, Activation act) {
        if (transposed(pre, hNext)) {
            Kernels.scalar().rnnCell(pre, hNext, act);
            return;
        }
        boolean relu = act == Activation.RELU;
        int h = pre.cols();
        float[] a = pre.data(), y = hNext.data();
        FloatVector zero = FloatVector.zero(S);
        for (int b = 0; b < pre.rows(); b++) {
            int a0 = row(pre, b), y0 = row(hNext, b);
            if (!relu) {
                Activations.tanh(a, a0, y, y0, h);
                continue;
            }
            int j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) FloatVector.fromArray(S, a, a0 + j).max(zero).intoArray(y, y0 + j);
            for (; j < h; j++) y[y0 + j] = Math.max(a[a0 + j], 0f);
        }
    }

    /** dGates = dh' ⊙ act'(a) from h' = act(a): 1 − h'² for tanh, [h' &gt; 0] for ReLU. */
    static void rnnBackward(Mat hNext, Mat dh, Mat dGates, Activation act) {
        if (transposed(hNext, dh, dGates)) {
            Kernels.scalar().rnnCellBackward(hNext, dh, dGates, act);
            return;
        }
        boolean relu = act == Activation.RELU;
        int h = hNext.cols();
        float[] y = hNext.data(), d = dh.data(), g = dGates.data();
        FloatVector one = FloatVector.broadcast(S, 1f), zero = FloatVector.zero(S);
        for (int b = 0; b < hNext.rows(); b++) {
            int y0 = row(hNext, b), d0 = row(dh, b), g0 = row(dGates, b);
            int j = 0;
            for (int bound = S.loopBound(h); j < bound; j += L) {
                FloatVector yj = FloatVector.fromArray(S, y, y0 + j), dj = FloatVector.fromArray(S, d, d0 + j);
                // A store in each arm: a vector merged from two arms is boxed on JDK 17.
                if (relu) zero.blend(dj, yj.compare(VectorOperators.GT, 0f)).intoArray(g, g0 + j);
                else dj.mul(one.sub(yj.mul(yj))).intoArray(g, g0 + j);
            }
            for (; j < h; j++) {
                float yj = y[y0 + j], dj = d[d0 + j];
                g[g0 + j] = relu ? (yj > 0 ? dj : 0f) : dj * (1 - yj * yj);
            }
        }
    }

    private static int row(Mat m, int b) {
        return m.offset() + b * m.stride();
    }

    private static boolean transposed(Mat... views) {
        for (Mat m : views) if (m.transposed()) return true;
        return false;
    }
}
