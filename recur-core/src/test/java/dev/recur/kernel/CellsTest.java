package dev.recur.kernel;

import static org.assertj.core.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vector gate kernels against the scalar oracle, for every batch 1..4 and hidden size 1..40 (a partial vector,
 * one, two and a half), on views with a stride wider than the row, as the sequence op passes them.
 */
class CellsTest {
    private static final Kernels SCALAR = new ScalarKernels();
    private static final Kernels VECTOR = new VectorKernels();
    private static final float TOLERANCE = 1e-6f;

    @Test
    void lstmForwardAndBackwardMatchScalar() {
        var rng = new SplittableRandom(1);
        for (int b = 1; b <= 4; b++) {
            for (int h = 1; h <= 40; h++) {
                Mat gates = random(rng, b, 4 * h, 4), cPrev = random(rng, b, h, 1), dm = random(rng, b, h, 2), dc = random(rng, b, h, 3);
                Mat[] s = {copy(gates), zeros(b, h), zeros(b, h), copy(dc), zeros(b, 4 * h)};
                Mat[] v = {copy(gates), zeros(b, h), zeros(b, h), copy(dc), zeros(b, 4 * h)};
                SCALAR.lstmCell(s[0], cPrev, s[1], s[2]);
                VECTOR.lstmCell(v[0], cPrev, v[1], v[2]);
                assertClose("lstm b=" + b + " h=" + h, s, v);
                SCALAR.lstmCellBackward(s[0], cPrev, s[1], dm, s[3], s[4]);
                VECTOR.lstmCellBackward(s[0], cPrev, s[1], dm, v[3], v[4]);
                assertClose("lstm backward b=" + b + " h=" + h, s, v);
            }
        }
    }

    @Test
    void gruForwardAndBackwardMatchScalar() {
        var rng = new SplittableRandom(2);
        for (int b = 1; b <= 4; b++) {
            for (int h = 1; h <= 40; h++) {
                Mat gates = random(rng, b, 3 * h, 5), hidden = random(rng, b, 3 * h, 0), hPrev = random(rng, b, h, 1), dh = random(rng, b, h, 2);
                Mat[] s = {copy(gates), zeros(b, h), zeros(b, h), copy(dh), zeros(b, 3 * h), zeros(b, 3 * h)};
                Mat[] v = {copy(gates), zeros(b, h), zeros(b, h), copy(dh), zeros(b, 3 * h), zeros(b, 3 * h)};
                SCALAR.gruCell(s[0], hidden, hPrev, s[1], s[2]);
                VECTOR.gruCell(v[0], hidden, hPrev, v[1], v[2]);
                assertClose("gru b=" + b + " h=" + h, s, v);
                SCALAR.gruCellBackward(s[0], s[2], hPrev, s[3], s[4], s[5]);
                VECTOR.gruCellBackward(s[0], s[2], hPrev, v[3], v[4], v[5]);
                assertClose("gru backward b=" + b + " h=" + h, s, v);
            }
        }
    }

    /** The reset-before GRU's four kernels: r, z and r ⊙ h; n and h'; dz, dn and dh' ⊙ z; dr and dh += d(r ⊙ h) ⊙ r. */
    @Test
    void gruResetBeforeForwardAndBackwardMatchScalar() {
        var rng = new SplittableRandom(4);
        for (int b = 1; b <= 4; b++) {
            for (int h = 1; h <= 40; h++) {
                Mat gates = random(rng, b, 3 * h, 5), hidden = random(rng, b, 2 * h, 2), hiddenN = random(rng, b, h, 3);
                Mat hPrev = random(rng, b, h, 1), dh = random(rng, b, h, 2), dResetH = random(rng, b, h, 4);
                Mat[] s = {copy(gates), zeros(b, h), zeros(b, h), copy(dh), zeros(b, 3 * h), zeros(b, 3 * h)};
                Mat[] v = {copy(gates), zeros(b, h), zeros(b, h), copy(dh), zeros(b, 3 * h), zeros(b, 3 * h)};
                SCALAR.gruResetGates(s[0], hidden, hPrev, s[1]);
                VECTOR.gruResetGates(v[0], hidden, hPrev, v[1]);
                assertClose("gru reset gates b=" + b + " h=" + h, s, v);
                SCALAR.gruResetBeforeCell(s[0], hiddenN, hPrev, s[2]);
                VECTOR.gruResetBeforeCell(v[0], hiddenN, hPrev, v[2]);
                assertClose("gru reset-before cell b=" + b + " h=" + h, s, v);
                SCALAR.gruResetBeforeCellBackward(s[0], hPrev, s[3], s[4], s[5]);
                VECTOR.gruResetBeforeCellBackward(s[0], hPrev, v[3], v[4], v[5]);
                assertClose("gru reset-before cell backward b=" + b + " h=" + h, s, v);
                SCALAR.gruResetGatesBackward(s[0], hPrev, dResetH, s[3], s[4], s[5]);
                VECTOR.gruResetGatesBackward(s[0], hPrev, dResetH, v[3], v[4], v[5]);
                assertClose("gru reset gates backward b=" + b + " h=" + h, s, v);
            }
        }
    }

    /** One reset-before step by hand, H = 1: r = σ(0) = ½, z = σ(0) = ½, r ⊙ h = 1, n = tanh(0.5), h' = (n + 2) / 2. */
    @Test
    void gruResetBeforeStepByHand() {
        for (Kernels k : new Kernels[] {SCALAR, VECTOR}) {
            Mat gates = Mat.of(new float[] {0.5f, 1f, 0.25f}, 1, 3), hidden = Mat.of(new float[] {-0.5f, -1f}, 1, 2);
            Mat hPrev = Mat.of(new float[] {2f}, 1, 1), resetH = zeros(1, 1), hNext = zeros(1, 1);
            k.gruResetGates(gates, hidden, hPrev, resetH);
            org.assertj.core.api.Assertions.assertThat(resetH.get(0, 0)).isEqualTo(1f);
            k.gruResetBeforeCell(gates, Mat.of(new float[] {0.25f}, 1, 1), hPrev, hNext);
            org.assertj.core.api.Assertions.assertThat(hNext.get(0, 0))
                    .isCloseTo((float) ((Math.tanh(0.5) + 2) / 2), org.assertj.core.api.Assertions.offset(1e-6f));
        }
    }

    @Test
    void rnnForwardAndBackwardMatchScalar() {
        var rng = new SplittableRandom(3);
        for (Activation act : Activation.values()) {
            for (int b = 1; b <= 4; b++) {
                for (int h = 1; h <= 40; h++) {
                    Mat pre = random(rng, b, h, 2), dh = random(rng, b, h, 1);
                    Mat[] s = {zeros(b, h), zeros(b, h)}, v = {zeros(b, h), zeros(b, h)};
                    SCALAR.rnnCell(pre, s[0], act);
                    VECTOR.rnnCell(pre, v[0], act);
                    assertClose("rnn " + act + " b=" + b + " h=" + h, s, v);
                    SCALAR.rnnCellBackward(s[0], dh, s[1], act);
                    VECTOR.rnnCellBackward(s[0], dh, v[1], act);
                    assertClose("rnn backward " + act + " b=" + b + " h=" + h, s, v);
                }
            }
        }
    }

    /** A [rows, cols] view with {@code pad} unused columns after each row, values in (−6, 6). */
    private static Mat random(SplittableRandom rng, int rows, int cols, int pad) {
        float[] data = new float[rows * (cols + pad) + 3];
        for (int i = 0; i < data.length; i++) data[i] = (float) rng.nextDouble(-6, 6);
        return new Mat(data, 3, rows, cols, cols + pad, false);
    }

    private static Mat zeros(int rows, int cols) {
        return Mat.of(new float[rows * cols], rows, cols);
    }

    private static Mat copy(Mat m) {
        Mat c = new Mat(m.data().clone(), m.offset(), m.rows(), m.cols(), m.stride(), false);
        return c;
    }

    private static void assertClose(String what, Mat[] expected, Mat[] actual) {
        for (int n = 0; n < expected.length; n++) {
            for (int i = 0; i < expected[n].rows(); i++) {
                for (int j = 0; j < expected[n].cols(); j++) {
                    float e = expected[n].get(i, j), a = actual[n].get(i, j);
                    if (Math.abs(e - a) > TOLERANCE * Math.max(1f, Math.abs(e))) {
                        fail("%s, buffer %d [%d, %d]: scalar %s, vector %s", what, n, i, j, e, a);
                    }
                }
            }
        }
    }
}
