package dev.recur.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DtypeTest {
    private static float half(int bits) {
        return Dtype.halfToFloat((short) bits);
    }

    @Test
    void halfKnownValues() {
        assertThat(half(0x3C00)).isEqualTo(1f);
        assertThat(half(0xC000)).isEqualTo(-2f);
        assertThat(half(0x3555)).isEqualTo(0.333251953125f);
        assertThat(half(0x7BFF)).isEqualTo(65504f);                    // largest finite
        assertThat(half(0xFBFF)).isEqualTo(-65504f);
        assertThat(half(0x0400)).isEqualTo(6.103515625e-5f);           // smallest normal, 2^-14
        assertThat(half(0x03FF)).isEqualTo(6.097555160522461e-5f);     // largest subnormal, 1023 · 2^-24
        assertThat(half(0x0001)).isEqualTo(5.960464477539063e-8f);     // smallest subnormal, 2^-24
        assertThat(half(0x8001)).isEqualTo(-5.960464477539063e-8f);
        assertThat(half(0x3BFF)).isEqualTo(0.99951171875f);
        assertThat(half(0x3C01)).isEqualTo(1.0009765625f);
        assertThat(Float.floatToRawIntBits(half(0x0000))).isEqualTo(0);
        assertThat(Float.floatToRawIntBits(half(0x8000))).isEqualTo(0x80000000);   // -0
        assertThat(half(0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(half(0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(half(0x7E00)).isNaN();
        assertThat(Float.floatToRawIntBits(half(0x7E00))).isEqualTo(0x7FC00000);  // quiet NaN keeps its payload
        assertThat(Float.floatToRawIntBits(half(0xFC01))).isEqualTo(0xFF802000);
    }

    @Test
    void everyHalfPatternMatchesTheDefinition() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int exponent = (bits >>> 10) & 0x1f;
            int fraction = bits & 0x3ff;
            double sign = (bits & 0x8000) != 0 ? -1 : 1;
            float actual = half(bits);
            if (exponent == 31) {
                assertThat(fraction == 0 ? Float.isInfinite(actual) : Float.isNaN(actual)).as("bits %04x", bits).isTrue();
                continue;
            }
            double expected = exponent == 0 ? sign * fraction * Math.scalb(1.0, -24)
                    : sign * (1 + fraction / 1024.0) * Math.scalb(1.0, exponent - 15);
            assertThat((double) actual).as("bits %04x", bits).isEqualTo(expected);
            assertThat(Math.copySign(1f, actual)).as("sign of bits %04x", bits).isEqualTo((float) sign);
        }
    }

    @Test
    void bfloat16KnownValues() {
        assertThat(Dtype.bfloat16ToFloat((short) 0x3F80)).isEqualTo(1f);
        assertThat(Dtype.bfloat16ToFloat((short) 0xC000)).isEqualTo(-2f);
        assertThat(Dtype.bfloat16ToFloat((short) 0x4049)).isEqualTo(3.140625f);
        assertThat(Dtype.bfloat16ToFloat((short) 0x7F7F)).isEqualTo(3.3895314e38f);
        assertThat(Dtype.bfloat16ToFloat((short) 0x0001)).isEqualTo(Math.scalb(1f, -133));
        assertThat(Dtype.bfloat16ToFloat((short) 0xFF80)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Dtype.bfloat16ToFloat((short) 0x7FC0)).isNaN();
    }
}
