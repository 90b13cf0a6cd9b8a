package dev.recur.kernel;

import java.util.Arrays;
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
    /** S's bits as ints, named here so that C2 sees the reinterpretations' species as constants (see the class comment). */
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final int L = S.length();
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5·2²³: adding it rounds a float below 2²² to an integer, which then sits in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float EXP_MIN = -104f, EXP_MAX = 88.72283f, SIGMOID_MIN = -87f;

    private Activations() {}

    private static final int EXP = 0, SIGMOID = 1, TANH = 2;

    /*
     * exp, σ and tanh are three loops, each with exp written out in it: on JDK 17 a vector crossing a call that C2 did
     * not inline (a helper it had first compiled on its own, "already compiled into a big method"), or merged from two
     * branches, is boxed — an allocation and a store through memory per vector — and a process ran at one of two speeds
     * depending on which compile finished first.
     *
     * exp(a): a = n·ln2 + r, e^a = 2^n · P(r); 2^n is applied as two halves so that subnormal results survive. σ and
     * tanh never need a subnormal e^a, so they apply 2^n as one scale (see each), which leaves them a few operations
     * shorter than exp and gives bit for bit the same results as two halves did (every float checked).
     * tanh(x): an odd polynomial for |x| < 0.625, else sign(x)·(1 − 2 / (e^2|x| + 1)). σ(x) = 1 / (1 + e^−x).
     *
     * The argument is clamped to [EXP_MIN, EXP_MAX] by a compare and a blend per bound, not by max and min: those keep
     * Java's rules for NaN and −0 and compile to several instructions each on x86. The results are the same (NaN stays
     * NaN), exp is 30 % faster and the GRU and LSTM cells 20–23 %.
     *
     * On JDK 17, a compile of σ or tanh sometimes left some of their vector operations as calls, and those box: such a
     * process allocated boxed vectors all through a run, with twice the young collections, and charlm training took
     * 900–1190 ms instead of 750–900. Two things made it rare: the reinterpretations name
     * their species (I, S) instead of reinterpretAsInts/AsFloats, whose target species C2 did not always see as a
     * constant ("missing constant" with -XX:+PrintIntrinsics), and σ and tanh lost the operations above.
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
            IntVector ni = ((IntVector) t.reinterpretShape(I, 0)).sub(ROUND_BITS);
            IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = (FloatVector) half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretShape(S, 0);
            FloatVector s2 = (FloatVector) ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretShape(S, 0);
            FloatVector e = p.mul(s1).mul(s2).blend(Float.POSITIVE_INFINITY, a.compare(VectorOperators.GT, EXP_MAX));
            e.intoArray(y, yOffset + i);
        }
        if (i < length) tail(EXP, x, xOffset + i, y, yOffset + i, length - i);
    }

    static void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int length) {
        int i = 0;
        for (int bound = S.loopBound(length); i < bound; i += L) {
            FloatVector a = FloatVector.fromArray(S, x, xOffset + i).neg();
            // σ = 1 / (1 + e^a) is 1 for every a < −87 (e^a < 2⁻¹²⁵ vanishes beside 1), so a is clamped there and
            // 2^n needs no second half for subnormals: it is applied as 2^(n − 1) and 2, since n reaches 128 near
            // EXP_MAX, where p·2^n is a float and 2^n is not.
            FloatVector ac = a.blend(SIGMOID_MIN, a.compare(VectorOperators.LT, SIGMOID_MIN))
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
            IntVector ni = ((IntVector) t.reinterpretShape(I, 0)).sub(ROUND_BITS);
            FloatVector e = p.mul((FloatVector) ni.add(126).lanewise(VectorOperators.LSHL, 23).reinterpretShape(S, 0)).mul(2f)
                    .blend(Float.POSITIVE_INFINITY, a.compare(VectorOperators.GT, EXP_MAX));
            FloatVector.broadcast(S, 1f).div(e.add(1f)).intoArray(y, yOffset + i);
        }
        if (i < length) tail(SIGMOID, x, xOffset + i, y, yOffset + i, length - i);
    }

    static void tanh(float[] x, int xOffset, float[] y, int yOffset, int length) {
        int i = 0;
        for (int bound = S.loopBound(length); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOffset + i), ax = v.abs(), a = ax.add(ax);
            // a ≥ 0 (or NaN): only the upper bound. e = 2^n·P(r) with 2^n as one scale: n ≤ 128, and 2^128 reads
            // as +∞, which makes tanh 1, as the finite e of two halves did (1 − 2/(e + 1) rounds to 1 there).
            FloatVector ac = a.blend(EXP_MAX, a.compare(VectorOperators.GT, EXP_MAX));
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
            IntVector ni = ((IntVector) t.reinterpretShape(I, 0)).sub(ROUND_BITS);
            FloatVector e = p.mul((FloatVector) ni.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretShape(S, 0));
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
        Arrays.fill(t, n, L, 0f);
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
