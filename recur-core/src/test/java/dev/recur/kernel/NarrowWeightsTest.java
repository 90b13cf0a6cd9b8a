package dev.recur.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.tensor.QuantizedWeights;
import dev.recur.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The products reading int8 or bfloat16 weights, against the exact product with the original float32 weights: each
 * output is off by at most the quantization's share, computed from this x and W (int8: s_j / 2 · Σ|x_k|; bf16:
 * 2⁻⁸ · Σ|x_k w_jk|), plus float32 accumulation (K · 2⁻²⁴ · Σ|x_k w'_jk|, twice for safety). The float32 values the
 * kernels could read instead are zeros, so only the narrow path can pass.
 */
class NarrowWeightsTest {
    private static final VectorKernels KERNELS = new VectorKernels();

    /**
     * A quantized weight's view, transposed (x·Wᵀ, as Linear and the recurrent steps multiply), read in place for up
     * to four rows of x or packed (a sequence's steps, the LSTM stepper: one row, or two to four at once); also a
     * block of W's rows (the GRU step's W_hn) at an offset.
     */
    @ParameterizedTest
    @CsvSource({"int8, 1, 1, 37, 0, 37", "int8, 1, 64, 96, 0, 96", "int8, 1, 200, 33, 0, 33", "int8, 4, 64, 96, 0, 96",
            "int8, 3, 512, 600, 0, 600", "int8, 2, 70, 90, 30, 60", "bf16, 1, 1, 37, 0, 37", "bf16, 1, 64, 96, 0, 96",
            "bf16, 1, 200, 33, 0, 33", "bf16, 4, 64, 96, 0, 96", "bf16, 3, 512, 600, 0, 600", "bf16, 2, 70, 90, 30, 60"})
    void aQuantizedWeightsViewIsReadNarrowInPlaceAndPacked(String dtype, int m, int k, int n, int from, int to) {
        var rng = new SplittableRandom(k * 131L + n + m);
        var type = QuantizedWeights.Type.of(dtype);
        Tensor w = weights(rng, n, k);
        QuantizedWeights q = QuantizedWeights.of(type, w);
        int origin = 5;   // the tensor's values start 5 floats into its array, all zeros
        Mat view = new Mat(new float[origin + n * k], origin, n, k, k, false, new Mat.Narrow(q, origin)).rows(from, to).t();
        float[] x = gaussian(rng, m * k);
        float[] original = w.toArray();

        float[] y = new float[m * (to - from)];
        Arrays.fill(y, -0.5f);
        KERNELS.gemm(1f, Mat.of(x, m, k), view, 1f, Mat.of(y, m, to - from));
        for (int i = 0; i < m; i++) checkRow(x, i * k, y, i * (to - from), original, q, k, from, to, -0.5f);

        PackedMatrix packed = KERNELS.pack(view);
        Arrays.fill(y, -0.5f);
        KERNELS.gemm(1f, Mat.of(x, m, k), packed, 1f, Mat.of(y, m, to - from));
        for (int i = 0; i < m; i++) checkRow(x, i * k, y, i * (to - from), original, q, k, from, to, -0.5f);
    }

    /** Rows of mixed magnitudes. */
    private static Tensor weights(SplittableRandom rng, int n, int k) {
        Tensor w = Tensor.randn(rng, n, k);
        for (int i = 0; i < w.size(); i++) if (i % 7 == 0) w.data()[i] *= 8;
        return w;
    }

    private static float[] gaussian(SplittableRandom rng, int size) {
        float[] x = new float[size];
        for (int p = 0; p < size; p++) x[p] = (float) rng.nextGaussian();
        return x;
    }

    /** y[yi + j − from] against c + x[xi ..]·W[j]ᵀ for rows j = from .. to of W, within the computed bound. */
    private static void checkRow(float[] x, int xi, float[] y, int yi, float[] w, QuantizedWeights q, int k, int from, int to, float c) {
        float[] d = q.dequantize();
        double gamma = 2.0 * k * 0x1p-24;
        for (int j = from; j < to; j++) {
            double exact = c, absX = 0, absXw = 0, absXd = 0;
            for (int p = 0; p < k; p++) {
                exact += (double) x[xi + p] * w[j * k + p];
                absX += Math.abs(x[xi + p]);
                absXw += Math.abs((double) x[xi + p] * w[j * k + p]);
                absXd += Math.abs((double) x[xi + p] * d[j * k + p]);
            }
            double quantization = q.type() == QuantizedWeights.Type.INT8 ? q.scales()[j] / 2.0 * absX : 0x1p-8 * absXw;
            double bound = quantization + gamma * absXd + Math.ulp(c);
            float got = y[yi + j - from];
            assertThat(Math.abs(got - exact)).as("column %d: %s against %s, bound %s", j, got, exact, bound).isLessThanOrEqualTo(bound);
        }
    }
}
