package dev.recur.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.tensor.QuantizedWeights;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The batch-1 packed product reading int8 or bfloat16 weights, against the exact product with the original float32
 * weights: each output is off by at most the quantization's share, computed from this x and W (int8: s_j / 2 · Σ|x_k|;
 * bf16: 2⁻⁸ · Σ|x_k w_jk|), plus float32 accumulation (K · 2⁻²⁴ · Σ|x_k w'_jk|, twice for safety).
 */
class NarrowWeightsTest {
    @ParameterizedTest
    @CsvSource({"int8, 1, 37", "int8, 64, 96", "int8, 200, 33", "bf16, 1, 37", "bf16, 64, 96", "bf16, 200, 33"})
    void theNarrowProductStaysWithinTheQuantizationBound(String dtype, int k, int n) {
        var rng = new SplittableRandom(k * 31L + n);
        var type = QuantizedWeights.Type.of(dtype);
        Tensor w = Tensor.randn(rng, n, k);   // W [N, K]; the product is x·Wᵀ
        for (int i = 0; i < w.size(); i++) if (i % 7 == 0) w.data()[i] *= 8;   // rows of mixed magnitudes
        QuantizedWeights q = QuantizedWeights.of(type, w);
        float[] d = q.dequantize();
        float[] opB = new float[k * n];   // op(B) = Wᵀ [K, N] row-major, the dequantized values
        for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) opB[p * n + j] = d[j * k + p];
        PackedMatrix packed = new VectorKernels().pack(Mat.of(opB, k, n));
        if (type == QuantizedWeights.Type.INT8) {
            byte[] values = new byte[k * n];
            for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) values[p * n + j] = q.int8Values()[j * k + p];
            packed.withInt8(values, q.scales());
        } else {
            short[] bits = new short[k * n];
            for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) bits[p * n + j] = q.bf16Bits()[j * k + p];
            packed.withBf16(bits);
        }
        java.util.Arrays.fill(packed.panels(), 0f);   // so that only the narrow panels can give the right answer
        float[] x = new float[k];
        for (int p = 0; p < k; p++) x[p] = (float) rng.nextGaussian();
        float[] y = new float[n];
        java.util.Arrays.fill(y, 0.25f);
        new VectorKernels().gemmColumns(1f, Mat.of(x, 1, k), packed, 0, n, 1f, Mat.of(y, 1, n));   // β = 1 adds to what is there

        double gamma = 2.0 * k * 0x1p-24;
        float[] orig = w.toArray();
        for (int j = 0; j < n; j++) {
            double exact = 0.25, absX = 0, absXw = 0, absXd = 0;
            for (int p = 0; p < k; p++) {
                exact += (double) x[p] * orig[j * k + p];
                absX += Math.abs(x[p]);
                absXw += Math.abs((double) x[p] * orig[j * k + p]);
                absXd += Math.abs((double) x[p] * d[j * k + p]);
            }
            double quantization = type == QuantizedWeights.Type.INT8 ? q.scales()[j] / 2.0 * absX : 0x1p-8 * absXw;
            double bound = quantization + gamma * absXd + Math.ulp(0.25f);
            assertThat(Math.abs(y[j] - exact)).as("column %d: %s against %s, bound %s", j, y[j], exact, bound).isLessThanOrEqualTo(bound);
        }
    }
}
