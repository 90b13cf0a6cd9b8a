package dev.recur.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise kernels on the Vector API: vector body, scalar tail (the tail uses the same formulas, so a result
 * does not depend on where an element falls). exp is Cephes' expf, range-reduced to [−ln2/2, ln2/2] with a
 * degree-6 polynomial, within 2 ulp; tanh is Cephes' tanhf. σ(x) = 1 / (1 + e^−x).
 */
final class Activations {
    private static final VectorSpecies<Float> S = VectorKernels.SPECIES;
    private static final int L = S.length();
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5·2²³: adding it rounds a float below 2²² to an integer, which then sits in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float EXP_MIN = -104f, EXP_MAX = 88.72283f;

    private Activations() {}

    static void exp(float[] x, int xOffset, float[] y, int yOffset, int length) {
        int i = 0;
        for (int bound = S.loopBound(length); i < bound; i += L) {
            exp(FloatVector.fromArray(S, x, xOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < length; i++) y[yOffset + i] = exp(x[xOffset + i]);
    }

    static void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int length) {
        int i = 0;
        for (int bound = S.loopBound(length); i < bound; i += L) {
            FloatVector e = exp(FloatVector.fromArray(S, x, xOffset + i).neg());
            FloatVector.broadcast(S, 1f).div(e.add(1f)).intoArray(y, yOffset + i);
        }
        for (; i < length; i++) y[yOffset + i] = 1f / (1f + exp(-x[xOffset + i]));
    }

    static void tanh(float[] x, int xOffset, float[] y, int yOffset, int length) {
        int i = 0;
        for (int bound = S.loopBound(length); i < bound; i += L) {
            tanh(FloatVector.fromArray(S, x, xOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < length; i++) y[yOffset + i] = tanh(FloatVector.broadcast(S, x[xOffset + i])).lane(0);
    }

    /** Every row of m += v[vOffset ..]. */
    static void addRowVector(Mat m, float[] v, int vOffset) {
        if (m.transposed()) {
            Kernels.scalar().addRowVector(m, v, vOffset);
            return;
        }
        float[] d = m.data();
        int n = m.cols(), bound = S.loopBound(n);
        for (int r = 0; r < m.rows(); r++) {
            int row = m.offset() + r * m.stride(), j = 0;
            for (; j < bound; j += L) {
                FloatVector.fromArray(S, d, row + j).add(FloatVector.fromArray(S, v, vOffset + j)).intoArray(d, row + j);
            }
            for (; j < n; j++) d[row + j] += v[vOffset + j];
        }
    }

    /** sums[sumsOffset + j] += Σ_i m[i, j]. */
    static void sumRowsAdd(Mat m, float[] sums, int sumsOffset) {
        if (m.transposed()) {
            Kernels.scalar().sumRowsAdd(m, sums, sumsOffset);
            return;
        }
        float[] d = m.data();
        int n = m.cols(), bound = S.loopBound(n);
        for (int r = 0; r < m.rows(); r++) {
            int row = m.offset() + r * m.stride(), j = 0;
            for (; j < bound; j += L) {
                FloatVector.fromArray(S, sums, sumsOffset + j).add(FloatVector.fromArray(S, d, row + j))
                        .intoArray(sums, sumsOffset + j);
            }
            for (; j < n; j++) sums[sumsOffset + j] += d[row + j];
        }
    }

    /** e^x by lanes: x = n·ln2 + r, e^x = 2^n · P(r); 2^n is applied as two halves so subnormal results survive. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector t = xc.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.mul(-LN2_HI).add(xc);
        r = n.mul(-LN2_LO).add(r);
        FloatVector p = r.fma(1.9875691500E-4f, 1.3981999507E-3f);
        p = fma(p, r, 8.3334519073E-3f);
        p = fma(p, r, 4.1665795894E-2f);
        p = fma(p, r, 1.6666665459E-1f);
        p = fma(p, r, 5.0000001201E-1f);
        p = p.mul(r).mul(r).add(r).add(1f);
        IntVector ni = t.reinterpretAsInts().sub(ROUND_BITS);
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector e = p.mul(s1).mul(s2);
        return e.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX));
    }

    private static FloatVector fma(FloatVector a, FloatVector b, float c) {
        return a.fma(b, FloatVector.broadcast(S, c));
    }

    static float exp(float x) {
        return exp(FloatVector.broadcast(S, x)).lane(0);
    }

    /** tanh by lanes: an odd polynomial for |x| < 0.625, else sign(x)·(1 − 2 / (e^2|x| + 1)). */
    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = z.fma(-5.70498872745E-3f, 2.06390887954E-2f);
        p = fma(p, z, -5.37397155531E-2f);
        p = fma(p, z, 1.33314422036E-1f);
        p = fma(p, z, -3.33332819422E-1f);
        FloatVector small = p.mul(z).fma(x, x);
        FloatVector large = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(exp(ax.add(ax)).add(1f)));
        large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0f));
        VectorMask<Float> isSmall = ax.compare(VectorOperators.LT, 0.625f);
        return large.blend(small, isSmall);
    }
}
