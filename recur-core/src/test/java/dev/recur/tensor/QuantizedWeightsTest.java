package dev.recur.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QuantizedWeightsTest {
    private static Tensor random(int rows, int cols, long seed) {
        return Tensor.uniform(new Rng(seed), -0.3f, 0.3f, rows, cols);
    }

    @Test
    void int8RowsKeepEachWeightWithinHalfTheirScale() {
        Tensor w = random(37, 53, 1);
        w.data()[5] = 2.5f;   // one large weight: its row's scale grows, the other rows' do not
        var q = QuantizedWeights.int8(w);
        float[] v = w.toArray(), d = q.dequantize();
        for (int r = 0; r < 37; r++) {
            float max = 0;
            for (int c = 0; c < 53; c++) max = Math.max(max, Math.abs(v[r * 53 + c]));
            assertThat(q.scales()[r]).isEqualTo(max / 127f);
            for (int c = 0; c < 53; c++) {
                int i = r * 53 + c;
                assertThat(q.int8Values()[i]).isBetween((byte) -127, (byte) 127);
                // |w − q·s| ≤ s/2, with the float rounding of w / s and of q·s on top
                assertThat((double) Math.abs(v[i] - d[i])).as("row %d col %d", r, c).isLessThanOrEqualTo(q.scales()[r] * (0.5 + 1e-6) + Math.ulp(v[i]));
            }
        }
        assertThat(q.scales()[0]).isEqualTo(2.5f / 127);
    }

    @Test
    void aRowOfZerosHasScaleZeroAndNonFiniteWeightsAreRefused() {
        Tensor w = Tensor.zeros(2, 3);
        w.data()[4] = -1f;
        var q = QuantizedWeights.int8(w);
        assertThat(q.scales()).containsExactly(0f, 1f / 127);
        assertThat(q.dequantize()).containsExactly(0, 0, 0, 0, -1f, 0);
        w.data()[0] = Float.NaN;
        assertThatThrownBy(() -> QuantizedWeights.int8(w)).isInstanceOf(InvalidInputException.class).hasMessageContaining("NaN");
    }

    @Test
    void bf16RoundsToNearestEvenWithinOnePartIn256() {
        float one = 1f, ulp = 0x1p-7f, half = 0x1p-8f;   // bfloat16 keeps 8 significant bits: 1, 1 + 2⁻⁷, ...
        Tensor w = Tensor.of(new float[] {one + half, one + ulp + half, one + half + 0x1p-20f, -0f, 3.0e-39f, 1e30f}, 2, 3);
        float[] d = QuantizedWeights.bf16(w).dequantize();
        assertThat(d[0]).isEqualTo(one);                 // a tie rounds to the even neighbour, 1
        assertThat(d[1]).isEqualTo(one + 2 * ulp);       // a tie rounds to the even neighbour, 1 + 2⁻⁶
        assertThat(d[2]).isEqualTo(one + ulp);           // above the tie rounds up
        assertThat(Float.floatToRawIntBits(d[3])).isEqualTo(Float.floatToRawIntBits(-0f));
        Tensor r = random(16, 40, 2);
        float[] v = r.toArray(), b = QuantizedWeights.bf16(r).dequantize();
        for (int i = 0; i < v.length; i++) {
            assertThat((double) Math.abs(v[i] - b[i])).isLessThanOrEqualTo(Math.abs(v[i]) * 0x1p-8);
            assertThat(Float.floatToRawIntBits(b[i]) & 0xFFFF).isZero();
        }
    }

    @Test
    void theStoredFormComesBackAsItWasAndBadStoredValuesAreRefused() {
        var q = QuantizedWeights.int8(random(4, 6, 3));
        assertThat(QuantizedWeights.stored(QuantizedWeights.Type.INT8, q.storedTensor(), q.scaleTensor())).isEqualTo(q);
        var b = QuantizedWeights.bf16(random(4, 6, 4));
        assertThat(QuantizedWeights.stored(QuantizedWeights.Type.BF16, b.storedTensor(), null)).isEqualTo(b);
        assertThatThrownBy(() -> QuantizedWeights.stored(QuantizedWeights.Type.INT8, q.storedTensor(), Tensor.zeros(3)))
                .hasMessageContaining("one scale per row (4)");
        assertThatThrownBy(() -> QuantizedWeights.stored(QuantizedWeights.Type.INT8, Tensor.full(0.5f, 4, 6), q.scaleTensor()))
                .hasMessageContaining("not an int8");
        assertThatThrownBy(() -> QuantizedWeights.Type.of("fp16")).hasMessage("unknown dtype \"fp16\"; use int8 or bf16");
    }

    @Test
    void chosenRowsAndSideBySideKeepTheirValuesAndScales() {
        var q = QuantizedWeights.int8(random(4, 3, 7));
        var picked = q.rows(new int[] {2, 0, 2});
        float[] all = q.dequantize(), got = picked.dequantize();
        for (int c = 0; c < 3; c++) {
            assertThat(got[c]).isEqualTo(all[2 * 3 + c]);
            assertThat(got[3 + c]).isEqualTo(all[c]);
        }
        assertThat(picked.scales()).containsExactly(q.scales()[2], q.scales()[0], q.scales()[2]);
        QuantizedWeights left = QuantizedWeights.bf16(random(2, 3, 8)), right = QuantizedWeights.bf16(random(2, 2, 9));
        float[] both = left.besides(right).dequantize();
        assertThat(both).containsExactly(left.dequantize()[0], left.dequantize()[1], left.dequantize()[2], right.dequantize()[0],
                right.dequantize()[1], left.dequantize()[3], left.dequantize()[4], left.dequantize()[5], right.dequantize()[2],
                right.dequantize()[3]);
        assertThatThrownBy(() -> q.besides(q)).hasMessageContaining("only bf16");
        Tensor t = picked.toTensor();
        assertThat(t.quantized()).isSameAs(picked);
        assertThat(t.toArray()).containsExactly(got);
    }

    @Test
    void aTensorCarriesItsStoredFormThroughCopiesButNotThroughNewValues() {
        Tensor w = random(3, 5, 5);
        var q = QuantizedWeights.int8(w);
        Tensor t = Tensor.of(q.dequantize(), 3, 5);
        t.attach(q);
        assertThat(t.copy().quantized()).isSameAs(q);
        t.copyFrom(w);
        assertThat(t.quantized()).isNull();
        assertThatThrownBy(() -> Tensor.zeros(5, 3).attach(q)).hasMessageContaining("does not fit");
    }
}
