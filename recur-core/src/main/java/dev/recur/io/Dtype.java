package dev.recur.io;

import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The safetensors element types Recur reads, each converted to float32 on load (I8 as the exact integer, for the
 * int8 weights of quantized models). Java 17 has no {@code Float.float16ToFloat} (added in 20), so the
 * half-precision conversions are written out here. Recur writes F32, and BF16 and I8 for quantized weights.
 */
enum Dtype {
    F32(4), F64(8), F16(2), BF16(2), I8(1);

    /** Types the safetensors format defines that Recur does not read: wider integers, booleans, 8-bit and smaller floats. */
    static final Set<String> UNSUPPORTED = Set.of("BOOL", "U8", "I16", "U16", "I32", "U32", "I64", "U64",
            "F8_E4M3", "F8_E5M2", "F8_E8M0", "E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64");

    static final String SUPPORTED = "F32, F64, F16, BF16, I8";

    final int bytes;

    Dtype(int bytes) {
        this.bytes = bytes;
    }

    /** The type named exactly {@code name} in a header, or null. */
    static Dtype of(String name) {
        for (Dtype d : values()) if (d.name().equals(name)) return d;
        return null;
    }

    /** Converts {@code count} little-endian values from {@code src} (advancing it) into {@code dst[offset..]}. */
    void decode(ByteBuffer src, float[] dst, int offset, int count) {
        switch (this) {
            case F32 -> {
                src.asFloatBuffer().get(dst, offset, count);
                src.position(src.position() + 4 * count);
            }
            case F64 -> { for (int i = 0; i < count; i++) dst[offset + i] = (float) src.getDouble(); }
            case F16 -> { for (int i = 0; i < count; i++) dst[offset + i] = halfToFloat(src.getShort()); }
            case BF16 -> { for (int i = 0; i < count; i++) dst[offset + i] = bfloat16ToFloat(src.getShort()); }
            case I8 -> { for (int i = 0; i < count; i++) dst[offset + i] = src.get(); }
        }
    }

    /**
     * Writes {@code count} values from {@code src[offset..]} little-endian into {@code dst}: F32 as they are, BF16
     * and I8 only when each value is exactly one (a bfloat16, an integer in [−128, 127]), else an
     * IllegalArgumentException: the caller rounds, not the writer.
     */
    void encode(float[] src, int offset, int count, ByteBuffer dst) {
        switch (this) {
            case F32 -> {
                dst.asFloatBuffer().put(src, offset, count);
                dst.position(dst.position() + 4 * count);
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    int bits = Float.floatToRawIntBits(src[offset + i]);
                    if ((bits & 0xFFFF) != 0) throw new IllegalArgumentException(src[offset + i] + " is not a bfloat16 value");
                    dst.putShort((short) (bits >>> 16));
                }
            }
            case I8 -> {
                for (int i = 0; i < count; i++) {
                    float v = src[offset + i];
                    if (v != Math.rint(v) || v < -128 || v > 127) throw new IllegalArgumentException(v + " is not an int8 value");
                    dst.put((byte) v);
                }
            }
            default -> throw new IllegalArgumentException("Recur does not write " + this);
        }
    }

    /**
     * IEEE 754 binary16 to float32, exactly: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
     * Subnormals are fraction · 2⁻²⁴; exponent 31 is ±infinity or NaN (the payload kept in the top fraction bits).
     */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int fraction = h & 0x3ff;
        if (exponent == 0) {
            float magnitude = fraction * 0x1p-24f;   // exact: at most 10 significant bits
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 31) return Float.intBitsToFloat(sign | 0x7f800000 | fraction << 13);
        return Float.intBitsToFloat(sign | (exponent + 127 - 15) << 23 | fraction << 13);
    }

    /** bfloat16 is the top half of a float32. */
    static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
