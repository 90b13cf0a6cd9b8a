package dev.recur.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.offset;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** VectorKernels against the scalar oracle: every small shape, every transpose, strided views, odd sizes. */
class VectorKernelsTest {
    private static final Kernels SCALAR = new ScalarKernels();
    private static final Kernels VECTOR = new VectorKernels();
    private static final float[][] ALPHA_BETA = {{1f, 0f}, {0.5f, 1f}, {-1.5f, 0.25f}};
    private static final int THREADS = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(THREADS);
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void everySmallShapeAndTransposeMatchesScalar(int threads) {
        Parallel.setThreads(threads);
        var rng = new SplittableRandom(threads);
        for (int m = 0; m <= 9; m++) {
            for (int n = 0; n <= 9; n++) {
                for (int k = 0; k <= 9; k++) {
                    for (int transposes = 0; transposes < 4; transposes++) {
                        for (float[] ab : ALPHA_BETA) check(rng, m, n, k, transposes, ab[0], ab[1]);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void oddSizesMatchScalar(int threads) {
        Parallel.setThreads(threads);
        var rng = new SplittableRandom(10 + threads);
        int[][] shapes = {{1023, 17, 255}, {1023, 255, 17}, {17, 1023, 255}, {17, 255, 1023}, {255, 1023, 17},
                {255, 17, 1023}, {1, 4099, 1031}, {1, 33, 1000}, {3, 2001, 700}, {9, 100, 17}};
        for (int[] s : shapes) {
            for (int transposes = 0; transposes < 4; transposes++) check(rng, s[0], s[1], s[2], transposes, 1f, 0f);
            check(rng, s[0], s[1], s[2], rng.nextInt(4), -0.75f, 0.5f);
        }
        check(rng, 255, 255, 255, 0, 1f, 1f);
        // α = 1 and whole 8-row panels, across KC blocks (k > 256) and partial column tiles.
        for (int[] s : new int[][] {{8, 40, 300}, {16, 100, 600}, {136, 33, 700}, {64, 2048, 512}}) {
            for (float beta : new float[] {0f, 1f, -0.5f}) {
                check(rng, s[0], s[1], s[2], 0, 1f, beta);
                check(rng, s[0], s[1], s[2], 2, 1f, beta);
                check(rng, s[0], s[1], s[2], 0, 1f, beta, true);
            }
        }
    }

    @Test
    void handComputedProduct() {
        // [1 2 3; 4 5 6] · [7 8; 9 10; 11 12] = [58 64; 139 154]; then C = 2·AB − C with C = 1.
        var a = Mat.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        var b = Mat.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        var c = Mat.of(new float[] {1, 1, 1, 1}, 2, 2);
        VECTOR.gemm(2f, a, b, -1f, c);
        assertThat(c.data()).containsExactly(115, 127, 277, 307);
        VECTOR.matmul(b.t(), a.t(), c);
        assertThat(c.data()).containsExactly(58, 139, 64, 154);
    }

    @Test
    void activationsMatchMath() {
        var rng = new SplittableRandom(3);
        int n = 1000;
        float[] x = new float[n + 3];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble(-1, 1) * (i % 3 == 0 ? 30 : 4));
        x[5] = 0f;
        x[6] = -0f;
        x[7] = 1e-8f;
        x[8] = -95f;
        x[9] = 90f;
        x[10] = 1e-3f;
        for (String f : new String[] {"sigmoid", "tanh", "exp"}) {
            float[] want = new float[x.length + 2], got = new float[x.length + 2];
            apply(SCALAR, f, x, want);
            apply(VECTOR, f, x, got);
            for (int i = 0; i < want.length; i++) {
                double tol = 2e-7 + 1e-6 * Math.abs(want[i]);
                if (f.equals("exp")) tol = 1e-30 + 1e-6 * Math.abs(want[i]);
                if (!(Math.abs(got[i] - want[i]) <= tol) && !(Float.isInfinite(want[i]) && got[i] == want[i])) {
                    fail("%s(%s): vector %s, scalar %s", f, x[Math.max(0, i - 2)], got[i], want[i]);
                }
            }
        }
        float[] y = x.clone();
        VECTOR.tanh(y, 0, y, 0, y.length);
        assertThat(y[3]).isCloseTo((float) Math.tanh(x[3]), offset(1e-6f));
        // The last partial vector takes the same formula as whole ones: the same inputs give the same bits.
        int l = VectorKernels.SPECIES.length();
        float[] twice = new float[2 * l - 1];
        for (int i = 0; i < twice.length; i++) twice[i] = x[i % l];
        for (String f : new String[] {"sigmoid", "tanh", "exp"}) {
            float[] out = new float[twice.length + 2];
            apply(VECTOR, f, twice, out);
            for (int i = l; i < twice.length; i++) assertThat(out[2 + i]).as("%s(%s)", f, twice[i]).isEqualTo(out[2 + i - l]);
        }
    }

    @Test
    void dotAndAxpyMatchScalarAtEveryLengthAndOffset() {
        var rng = new SplittableRandom(7);
        float[] x = new float[80], y = new float[80];
        for (int i = 0; i < 80; i++) {
            x[i] = (float) rng.nextGaussian();
            y[i] = (float) rng.nextGaussian();
        }
        for (int length = 0; length <= 70; length++) {
            for (int offset : new int[] {0, 3, 9}) {
                double exact = 0;
                for (int i = 0; i < length; i++) exact += (double) x[offset + i] * y[i];
                assertThat((double) VECTOR.dot(x, offset, y, 0, length)).isCloseTo(exact, org.assertj.core.api.Assertions.within(1e-4));
                assertThat((double) SCALAR.dot(x, offset, y, 0, length)).isCloseTo(exact, org.assertj.core.api.Assertions.within(1e-4));
                float[] a = y.clone(), b = y.clone();
                VECTOR.axpy(-1.5f, x, offset, a, 1, length);
                SCALAR.axpy(-1.5f, x, offset, b, 1, length);
                for (int i = 0; i < 80; i++) assertThat(a[i]).isCloseTo(b[i], org.assertj.core.api.Assertions.within(1e-6f));
                for (int i = 1 + length; i < 80; i++) assertThat(a[i]).isEqualTo(y[i]);
            }
        }
    }

    @Test
    void rowVectorKernelsMatchScalar() {
        var rng = new SplittableRandom(4);
        for (int cols : new int[] {0, 1, 15, 16, 17, 40}) {
            for (boolean transposed : new boolean[] {false, true}) {
                Mat m = view(rng, 7, cols, transposed);
                Mat m2 = new Mat(m.data().clone(), m.offset(), m.rows(), m.cols(), m.stride(), transposed);
                float[] v = random(rng, cols + 2);
                SCALAR.addRowVector(m, v, 2);
                VECTOR.addRowVector(m2, v, 2);
                assertThat(m2.data()).containsExactly(m.data());
                float[] sums = random(rng, cols + 1), sums2 = sums.clone();
                SCALAR.sumRowsAdd(m, sums, 1);
                VECTOR.sumRowsAdd(m2, sums2, 1);
                for (int j = 0; j < sums.length; j++) assertThat(sums2[j]).isCloseTo(sums[j], offset(1e-5f));
            }
        }
    }

    /** y[2 ..] = f(x[0 ..]) over all of x, so the vector body, the scalar tail and the offsets are all used. */
    private static void apply(Kernels kernels, String f, float[] x, float[] y) {
        int length = x.length;
        switch (f) {
            case "sigmoid" -> kernels.sigmoid(x, 0, y, 2, length);
            case "tanh" -> kernels.tanh(x, 0, y, 2, length);
            default -> kernels.exp(x, 0, y, 2, length);
        }
    }

    /**
     * One gemm on random strided views, vector against scalar. Transposes: bit 0 for A, bit 1 for B. When β = 0,
     * C starts as NaN. Elements outside C's view must be left exactly as they were.
     */
    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {1, 2})
    void packedBMatchesScalarForSmallAndOddShapes(int threads) {
        Parallel.setThreads(threads);
        var rng = new SplittableRandom(20 + threads);
        for (int m = 0; m <= 9; m++) {
            for (int n = 0; n <= 9; n++) {
                for (int k = 0; k <= 9; k++) {
                    for (int transposes = 0; transposes < 4; transposes++) {
                        for (float[] ab : ALPHA_BETA) check(rng, m, n, k, transposes, ab[0], ab[1], true);
                    }
                }
            }
        }
        int[][] shapes = {{64, 2048, 512}, {33, 1000, 300}, {1, 2048, 512}, {3, 97, 513}, {9, 33, 1}, {130, 700, 270}};
        for (int[] s : shapes) {
            for (int transposes = 0; transposes < 4; transposes++) check(rng, s[0], s[1], s[2], transposes, 1f, 1f, true);
        }
    }

    @Test
    void aPackedMatrixHoldsItsSource() {
        var b = Mat.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        PackedMatrix p = VECTOR.pack(b.t());
        assertThat(p.rows()).isEqualTo(3);
        assertThat(p.cols()).isEqualTo(2);
        assertThat(p.get(2, 1)).isEqualTo(6f);
        assertThat(SCALAR.pack(b).get(1, 0)).isEqualTo(4f);
    }

    @Test
    void packingOnTwoThreadsCopiesEveryElementAndZeroPadsTheLastPanel() {
        var rng = new SplittableRandom(5);
        Parallel.setThreads(2);
        int w = VECTOR.packWidth();
        // Large enough to be split into tasks; N not a multiple of the panel width; k not a multiple of 16.
        for (boolean transposed : new boolean[] {false, true}) {
            Mat b = view(rng, 301, 40 * w + 5, transposed);
            PackedMatrix p = VECTOR.pack(b);
            for (int r = 0; r < b.rows(); r++) {
                for (int j = 0; j < b.cols(); j++) {
                    if (p.get(r, j) != b.get(r, j)) fail("transposed %s: (%d, %d) is %s, not %s", transposed, r, j, p.get(r, j), b.get(r, j));
                }
                for (int j = b.cols(); j < 41 * w; j++) {
                    if (p.get(r, j) != 0f) fail("transposed %s: padding (%d, %d) is %s", transposed, r, j, p.get(r, j));
                }
            }
        }
    }

    @Test
    void columnRangesOfAPackedProductMatchTheScalarOracle() {
        var rng = new SplittableRandom(11);
        for (Kernels kernels : new Kernels[] {VECTOR, SCALAR}) {
            int w = kernels.packWidth();
            for (int m : new int[] {1, 3, 4, 5, 9}) {
                for (int n : new int[] {1, w - 1, w, 2 * w + 3, 5 * w}) {
                    int k = 1 + rng.nextInt(70);
                    Mat a = view(rng, m, k, rng.nextBoolean());
                    Mat b = view(rng, k, n, rng.nextBoolean());
                    Mat c = view(rng, m, n, false);
                    Mat want = new Mat(c.data().clone(), c.offset(), m, n, c.stride(), false);
                    SCALAR.gemm(0.5f, a, b, 1f, want);
                    PackedMatrix packed = kernels.pack(b);
                    int split = n > w ? w : 0;   // two calls: [0, split) and [split, n)
                    kernels.gemmColumns(0.5f, a, packed, 0, split, 1f, c);
                    kernels.gemmColumns(0.5f, a, packed, split, n, 1f, c);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            assertThat(c.get(i, j)).as("%s %dx%dx%d at [%d, %d]", kernels.getClass().getSimpleName(), m, n, k, i, j)
                                    .isCloseTo(want.get(i, j), offset(2e-6f * (k + 2)));
                        }
                    }
                }
            }
            PackedMatrix p = kernels.pack(Mat.of(new float[4 * 3 * w], 4, 3 * w));
            assertThatThrownBy(() -> kernels.gemmColumns(1f, Mat.of(new float[4], 1, 4), p, 1, 2, 0f, Mat.of(new float[3 * w], 1, 3 * w)))
                    .hasMessageContaining("multiple of the panel width");
        }
    }

    private static void check(SplittableRandom rng, int m, int n, int k, int transposes, float alpha, float beta) {
        check(rng, m, n, k, transposes, alpha, beta, false);
    }

    private static void check(SplittableRandom rng, int m, int n, int k, int transposes, float alpha, float beta, boolean packed) {
        Mat a = view(rng, m, k, (transposes & 1) != 0);
        Mat b = view(rng, k, n, (transposes & 2) != 0);
        Mat c = view(rng, m, n, false);
        if (beta == 0f) Arrays.fill(c.data(), Float.NaN);
        Mat want = new Mat(c.data().clone(), c.offset(), m, n, c.stride(), false);
        SCALAR.gemm(alpha, a, b, beta, want);
        if (packed) VECTOR.gemm(alpha, a, VECTOR.pack(b), beta, c);
        else VECTOR.gemm(alpha, a, b, beta, c);
        // Inputs lie in [−1, 1]: each product sums k terms of size ≤ |α|, so rounding grows at most like k.
        double tol = 2e-6 * (k + 2) * (Math.abs(alpha) + Math.abs(beta));
        float[] got = c.data(), expected = want.data();
        for (int i = 0; i < got.length; i++) {
            boolean same = Float.floatToIntBits(got[i]) == Float.floatToIntBits(expected[i]);
            if (!same && !(Math.abs(got[i] - expected[i]) <= tol)) {
                fail("gemm %dx%dx%d, A%s B%s, alpha %s, beta %s, threads %d: element %d is %s, expected %s",
                        m, n, k, (transposes & 1) != 0 ? "ᵀ" : "", (transposes & 2) != 0 ? "ᵀ" : "", alpha, beta,
                        Parallel.threads(), i, got[i], expected[i]);
            }
        }
    }

    /** A [rows, cols] view at a random offset with a random row padding, in an array full of random values. */
    private static Mat view(SplittableRandom rng, int rows, int cols, boolean transposed) {
        int storedRows = transposed ? cols : rows, storedCols = transposed ? rows : cols;
        int stride = storedCols + rng.nextInt(3), offset = rng.nextInt(4);
        float[] data = random(rng, offset + storedRows * stride + rng.nextInt(3));
        return new Mat(data, offset, rows, cols, stride, transposed);
    }

    private static float[] random(SplittableRandom rng, int length) {
        float[] data = new float[length];
        for (int i = 0; i < length; i++) data[i] = (float) rng.nextDouble(-1, 1);
        return data;
    }
}
