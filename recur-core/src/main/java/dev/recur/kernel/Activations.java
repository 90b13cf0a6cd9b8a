package dev.recur.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise kernels on the Vector API. exp, σ and tanh run whole vectors, the last partial one on a padded copy
 * through the same code, so a result does not depend on where an element falls. exp is Cephes' expf,
 * range-reduced to [−ln2/2, ln2/2] with a degree-6 polynomial, within 2 ulp; tanh is Cephes' tanhf.
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

    private static final int EXP = 0, SIGMOID = 1, TANH = 2;

    /*
     * exp, σ and tanh are three loops, each with exp written out in it: on JDK 17 a vector crossing a call that C2 did
     * not inline (a helper it had first compiled on its own, "already compiled into a big method"), or merged from two
     * branches, is boxed — an allocation and a store through memory per vector — and a process ran at one of two speeds
     * depending on which compile finished first (BENCHMARKS.md change 27).
     *
     * exp(a): a = n·ln2 + r, e^a = 2^n · P(r); 2^n is applied as two halves so that subnormal results survive.
     * tanh(x): an odd polynomial for |x| < 0.625, else sign(x)·(1 − 2 / (e^2|x| + 1)). σ(x) = 1 / (1 + e^−x).
     *
     * The argument is clamped to [EXP_MIN, EXP_MAX] by a compare and a blend per bound, not by max and min: those keep
     * Java's rules for NaN and −0 and compile to several instructions each on x86. The results are the same (NaN stays
     * NaN), exp is 30 % faster and the GRU and LSTM cells 20–23 % (BENCHMARKS.md change 28).
     */

    static void exp(float[] x, int xOffset, float[] y, int yOffset, int length) {
        int i = 0;
        for (int bound = S.loopBound(length); i < bound; i += L) {
            FloatVector a = FloatVector.fromArray(S, x, xOffset + i);
            FloatVector ac = a.blend(EXP_MIN, a.compare(VectorOperators.LT, EXP_MIN))
                    .blend(EXP_MAX, a.compare(VectorOperators.GT, EXP_MAX));
            FloatVector t = ac.fma(LOG2E, ROUND);
            FloatVector n = t.sub(ROUND);
            FloatVector r = n.mul(-LN2_HI).add(ac);
            r = n.mul(-LN2_LO).add(r);
            FloatVector p = r.fma(1.9875691500E-4f, 1.3981999507E-3f);
            p = p.fma(r, FloatVector.broadcast(S, 8.3334519073E-3f));
            p = p.fma(r, FloatVector.broadcast(S, 4.1665795894E-2f));
            p = p.fma(r, FloatVector.broadcast(S, 1.6666665459E-1f));
            p = p.fma(r, FloatVector.broadcast(S, 5.0000001201E-1f));
            p = p.mul(r).mul(r).add(r).add(1f);
            IntVector ni = t.reinterpretAsInts().sub(ROUND_BITS);
            IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p.mul(s1).mul(s2).blend(Float.POSITIVE_INFINITY, a.compare(VectorOperators.GT, EXP_MAX));
            e.intoArray(y, yOffset + i);
        }
        if (i < length) tail(EXP, x, xOffset + i, y, yOffset + i, length - i);
    }

    static void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int length) {
        int i = 0;
        for (int bound = S.loopBound(length); i < bound; i += L) {
            FloatVector a = FloatVector.fromArray(S, x, xOffset + i).neg();
            FloatVector ac = a.blend(EXP_MIN, a.compare(VectorOperators.LT, EXP_MIN))
                    .blend(EXP_MAX, a.compare(VectorOperators.GT, EXP_MAX));
            FloatVector t = ac.fma(LOG2E, ROUND);
            FloatVector n = t.sub(ROUND);
            FloatVector r = n.mul(-LN2_HI).add(ac);
            r = n.mul(-LN2_LO).add(r);
            FloatVector p = r.fma(1.9875691500E-4f, 1.3981999507E-3f);
            p = p.fma(r, FloatVector.broadcast(S, 8.3334519073E-3f));
            p = p.fma(r, FloatVector.broadcast(S, 4.1665795894E-2f));
            p = p.fma(r, FloatVector.broadcast(S, 1.6666665459E-1f));
            p = p.fma(r, FloatVector.broadcast(S, 5.0000001201E-1f));
            p = p.mul(r).mul(r).add(r).add(1f);
            IntVector ni = t.reinterpretAsInts().sub(ROUND_BITS);
            IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p.mul(s1).mul(s2).blend(Float.POSITIVE_INFINITY, a.compare(VectorOperators.GT, EXP_MAX));
            FloatVector.broadcast(S, 1f).div(e.add(1f)).intoArray(y, yOffset + i);
        }
        if (i < length) tail(SIGMOID, x, xOffset + i, y, yOffset + i, length - i);
    }

    static void tanh(float[] x, int xOffset, float[] y, int yOffset, int length) {
        int i = 0;
        for (int bound = S.loopBound(length); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOffset + i), ax = v.abs(), a = ax.add(ax);
            FloatVector ac = a.blend(EXP_MIN, a.compare(VectorOperators.LT, EXP_MIN))
                    .blend(EXP_MAX, a.compare(VectorOperators.GT, EXP_MAX));
            FloatVector t = ac.fma(LOG2E, ROUND);
            FloatVector n = t.sub(ROUND);
            FloatVector r = n.mul(-LN2_HI).add(ac);
            r = n.mul(-LN2_LO).add(r);
            FloatVector p = r.fma(1.9875691500E-4f, 1.3981999507E-3f);
            p = p.fma(r, FloatVector.broadcast(S, 8.3334519073E-3f));
            p = p.fma(r, FloatVector.broadcast(S, 4.1665795894E-2f));
            p = p.fma(r, FloatVector.broadcast(S, 1.6666665459E-1f));
            p = p.fma(r, FloatVector.broadcast(S, 5.0000001201E-1f));
            p = p.mul(r).mul(r).add(r).add(1f);
            IntVector ni = t.reinterpretAsInts().sub(ROUND_BITS);
            IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p.mul(s1).mul(s2).blend(Float.POSITIVE_INFINITY, a.compare(VectorOperators.GT, EXP_MAX));
            FloatVector z = v.mul(v);
            FloatVector q = z.fma(-5.70498872745E-3f, 2.06390887954E-2f);
            q = q.fma(z, FloatVector.broadcast(S, -5.37397155531E-2f));
            q = q.fma(z, FloatVector.broadcast(S, 1.33314422036E-1f));
            q = q.fma(z, FloatVector.broadcast(S, -3.33332819422E-1f));
            FloatVector small = q.mul(z).fma(v, v);
            FloatVector large = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.add(1f)));
            large = large.blend(large.neg(), v.compare(VectorOperators.LT, 0f));
            large.blend(small, ax.compare(VectorOperators.LT, 0.625f)).intoArray(y, yOffset + i);
        }
        if (i < length) tail(TANH, x, xOffset + i, y, yOffset + i, length - i);
    }

    /** One vector's worth of scratch per thread, for {@link #tail}: a cell calls it once per row and step. */
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[L]);

    /** The last n &lt; L values through the same vector code, on a zero-padded copy. */
    private static void tail(int f, float[] x, int xOffset, float[] y, int yOffset, int n) {
        float[] t = TAIL.get();
        java.util.Arrays.fill(t, n, L, 0f);
        System.arraycopy(x, xOffset, t, 0, n);
        switch (f) {
            case EXP -> exp(t, 0, t, 0, L);
            case SIGMOID -> sigmoid(t, 0, t, 0, L);
            default -> tanh(t, 0, t, 0, L);
        }
        System.arraycopy(t, 0, y, yOffset, n);
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
}
