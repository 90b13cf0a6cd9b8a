package dev.recur.tensor;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A weight matrix [rows, cols] stored in fewer bits, for inference: int8 with one symmetric scale per row (per
 * output unit, per gate row: w ≈ q · s, s = max|w_row| / 127, q in [−127, 127]), or bfloat16 (the top 16 bits of a
 * float32, rounded to nearest even). {@link #dequantize()} gives the float32 values the model computes with; a
 * {@link Tensor} holding those values carries this form too ({@link Tensor#quantized()}), for the kernels that read
 * the smaller weights.
 */
public final class QuantizedWeights {
    /** The stored element type. */
    public enum Type {
        INT8("int8", "I8"), BF16("bf16", "BF16");

        private final String option, dtype;

        Type(String option, String dtype) {
            this.option = option;
            this.dtype = dtype;
        }

        /** As the command line and recur.config spell it: "int8" or "bf16". */
        public String option() {
            return option;
        }

        /** The safetensors dtype it is stored as: "I8" or "BF16". */
        public String dtype() {
            return dtype;
        }

        /** The type spelled {@code name} ("int8", "bf16"), or an error listing both. */
        public static Type of(String name) {
            for (Type t : values()) if (t.option.equalsIgnoreCase(name)) return t;
            throw new InvalidInputException("unknown dtype \"" + name + "\"; use int8 or bf16");
        }
    }

    private final Type type;
    private final int rows, cols;
    private final byte[] q;       // INT8: row-major
    private final float[] scales; // INT8: one per row
    private final short[] bf;     // BF16: row-major
    private final ConcurrentHashMap<Object, Object> derived = new ConcurrentHashMap<>();

    private QuantizedWeights(Type type, int rows, int cols, byte[] q, float[] scales, short[] bf) {
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.q = q;
        this.scales = scales;
        this.bf = bf;
    }

    /** Quantizes a [rows, cols] matrix of finite values. */
    public static QuantizedWeights of(Type type, Tensor w) {
        return type == Type.INT8 ? int8(w) : bf16(w);
    }

    /** One symmetric scale per row: s = max|w| / 127, q = round(w / s) (a row of zeros has s = 0, q = 0). */
    public static QuantizedWeights int8(Tensor w) {
        int[] shape = matrix(w);
        int rows = shape[0], cols = shape[1];
        float[] v = w.toArray();
        byte[] q = new byte[v.length];
        float[] scales = new float[rows];
        for (int r = 0; r < rows; r++) {
            float max = 0;
            for (int c = 0; c < cols; c++) max = Math.max(max, Math.abs(finite(v[r * cols + c])));
            float s = max / 127f;
            scales[r] = s;
            if (s == 0) continue;
            for (int c = 0; c < cols; c++) q[r * cols + c] = (byte) Math.max(-127, Math.min(127, Math.round(v[r * cols + c] / s)));
        }
        return new QuantizedWeights(Type.INT8, rows, cols, q, scales, null);
    }

    /** Each value rounded to the nearest bfloat16, ties to even. */
    public static QuantizedWeights bf16(Tensor w) {
        int[] shape = matrix(w);
        float[] v = w.toArray();
        short[] bf = new short[v.length];
        for (int i = 0; i < v.length; i++) bf[i] = toBf16(finite(v[i]));
        return new QuantizedWeights(Type.BF16, shape[0], shape[1], null, null, bf);
    }

    /**
     * The form a file stores: {@code stored} holds the int8 values (as exact floats in [−127, 127]) or the bfloat16
     * values (floats whose low 16 bits are 0), {@code scales} the int8 rows' scales (null for bf16).
     */
    public static QuantizedWeights stored(Type type, Tensor stored, Tensor scales) {
        int[] shape = matrix(stored);
        int rows = shape[0], cols = shape[1];
        float[] v = stored.toArray();
        if (type == Type.BF16) {
            short[] bf = new short[v.length];
            for (int i = 0; i < v.length; i++) {
                int bits = Float.floatToRawIntBits(v[i]);
                if ((bits & 0xFFFF) != 0) throw new IllegalArgumentException("value " + v[i] + " is not a bfloat16");
                bf[i] = (short) (bits >>> 16);
            }
            return new QuantizedWeights(type, rows, cols, null, null, bf);
        }
        if (scales == null || scales.shape().length != 1 || scales.size() != rows) {
            throw new IllegalArgumentException("needs one scale per row (" + rows + "), got " + (scales == null ? "none" : scales.shapeString()));
        }
        float[] s = scales.toArray();
        for (float x : s) if (!(x >= 0) || Float.isInfinite(x)) throw new IllegalArgumentException("a scale is " + x + "; scales are finite and ≥ 0");
        byte[] q = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i]) || Math.abs(v[i]) > 127) throw new IllegalArgumentException("value " + v[i] + " is not an int8 in [-127, 127]");
            q[i] = (byte) v[i];
        }
        return new QuantizedWeights(type, rows, cols, q, s, null);
    }

    public Type type() {
        return type;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** INT8: the values, row-major (not a copy: do not modify). */
    public byte[] int8Values() {
        return q;
    }

    /** INT8: the rows' scales (not a copy: do not modify). */
    public float[] scales() {
        return scales;
    }

    /** BF16: the values' bits, row-major (not a copy: do not modify). */
    public short[] bf16Bits() {
        return bf;
    }

    /** Rows {@code order[0]}, {@code order[1]}, ... of these weights (with their scales), as a matrix of their own. */
    public QuantizedWeights rows(int[] order) {
        byte[] q2 = q == null ? null : new byte[order.length * cols];
        short[] bf2 = bf == null ? null : new short[order.length * cols];
        float[] s2 = scales == null ? null : new float[order.length];
        for (int r = 0; r < order.length; r++) {
            if (q != null) System.arraycopy(q, order[r] * cols, q2, r * cols, cols);
            else System.arraycopy(bf, order[r] * cols, bf2, r * cols, cols);
            if (scales != null) s2[r] = scales[order[r]];
        }
        return new QuantizedWeights(type, order.length, cols, q2, s2, bf2);
    }

    /** bf16 only (int8 rows have a scale each): these weights and {@code right}'s side by side, [rows, cols + right.cols]. */
    public QuantizedWeights besides(QuantizedWeights right) {
        if (type != Type.BF16 || right.type != Type.BF16 || right.rows != rows) {
            throw new IllegalArgumentException("only bf16 weights of as many rows go side by side: " + this + ", " + right);
        }
        int width = cols + right.cols;
        short[] both = new short[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(bf, r * cols, both, r * width, cols);
            System.arraycopy(right.bf, r * right.cols, both, r * width + cols, right.cols);
        }
        return new QuantizedWeights(type, rows, width, null, null, both);
    }

    /** The dequantized values as a [rows, cols] tensor that carries this form. */
    public Tensor toTensor() {
        Tensor t = Tensor.of(dequantize(), rows, cols);
        t.attach(this);
        return t;
    }

    /**
     * A layout of these weights that a kernel derives from them (packed panels of a view), made by {@code make} the
     * first time {@code key} asks and kept with the weights, which never change: a sequence packs its weights on every
     * call, and the narrow panels are then made once.
     */
    @SuppressWarnings("unchecked")
    public <K, T> T derived(K key, Function<K, T> make) {
        return (T) derived.computeIfAbsent(key, k -> make.apply((K) k));
    }

    /** The float32 values the model computes with: q · s per row, or each bfloat16 widened exactly. */
    public float[] dequantize() {
        float[] v = new float[rows * cols];
        if (type == Type.BF16) {
            for (int i = 0; i < v.length; i++) v[i] = Float.intBitsToFloat(bf[i] << 16);
        } else {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) v[r * cols + c] = q[r * cols + c] * scales[r];
            }
        }
        return v;
    }

    /** The stored values as floats, for writing: the int8 values, or the bfloat16 values. */
    public Tensor storedTensor() {
        float[] v = new float[rows * cols];
        if (type == Type.BF16) return Tensor.of(dequantize(), rows, cols);
        for (int i = 0; i < v.length; i++) v[i] = q[i];
        return Tensor.of(v, rows, cols);
    }

    /** INT8: the scales as a tensor [rows]; null for bf16. */
    public Tensor scaleTensor() {
        return scales == null ? null : Tensor.of(scales.clone(), rows);
    }

    /** Bytes the stored form takes: values and scales. */
    public long bytes() {
        return type == Type.BF16 ? 2L * rows * cols : (long) rows * cols + 4L * rows;
    }

    /** Rounds to the nearest bfloat16, ties to even; NaN stays a (quiet) NaN. */
    static short toBf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) return (short) ((bits >>> 16) | 0x0040);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    private static int[] matrix(Tensor w) {
        int[] shape = w.shape();
        if (shape.length != 2) throw new IllegalArgumentException("a weight matrix has 2 dimensions, got " + w.shapeString());
        return shape;
    }

    private static float finite(float x) {
        if (!Float.isFinite(x)) throw new InvalidInputException("a weight is " + x + "; only finite weights can be quantized");
        return x;
    }

    @Override
    public String toString() {
        return type.option() + " [" + rows + ", " + cols + "]" + (type == Type.INT8 ? " with " + rows + " row scales" : "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantizedWeights w && w.type == type && w.rows == rows && w.cols == cols && Arrays.equals(w.q, q)
                && Arrays.equals(w.scales, scales) && Arrays.equals(w.bf, bf);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(q) * 31 + Arrays.hashCode(bf);
    }
}
