package dev.recur.tensor;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A float32 array with a shape, row-major and contiguous. Views along the first axis ({@link #slice},
 * {@link #select}) and reshapes share the array; {@link #copy} does not.
 * <pre>
 * var x = Tensor.randn(rng, 5, 2, 3);   // [T=5, B=2, F=3]
 * var step = x.select(0);               // [2, 3], a view of the first time step
 * </pre>
 */
public final class Tensor {
    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int size;
    /** The smaller form of these values, for inference kernels; null for an ordinary tensor. */
    private QuantizedWeights quantized;

    private Tensor(float[] data, int offset, int[] shape) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.size = sizeOf(shape);
        if (offset < 0 || offset + size > data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " at offset " + offset
                    + " needs " + size + " floats; the array holds " + data.length);
        }
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[sizeOf(shape)], 0, shape.clone());
    }

    public static Tensor full(float value, int... shape) {
        var t = zeros(shape);
        t.fill(value);
        return t;
    }

    /** Wraps {@code data} (not copied) as a tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        if (sizeOf(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + sizeOf(shape)
                    + " values; got " + data.length);
        }
        return new Tensor(data, 0, shape.clone());
    }

    /** A view of {@code data} from {@code offset} (not copied), e.g. one parameter inside a flat buffer. */
    public static Tensor view(float[] data, int offset, int... shape) {
        return new Tensor(data, offset, shape.clone());
    }

    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, 0, new int[0]);
    }

    /** Standard normal values. */
    public static Tensor randn(RandomGenerator rng, int... shape) {
        var t = zeros(shape);
        for (int i = 0; i < t.size; i++) t.data[i] = (float) rng.nextGaussian();
        return t;
    }

    /** Values drawn uniformly from [low, high). */
    public static Tensor uniform(RandomGenerator rng, float low, float high, int... shape) {
        var t = zeros(shape);
        for (int i = 0; i < t.size; i++) t.data[i] = low + (high - low) * rng.nextFloat();
        return t;
    }

    public static int sizeOf(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large for one array");
        }
        return (int) n;
    }

    /** The backing array; element i of this tensor is {@code data()[offset() + i]}. */
    public float[] data() { return data; }

    public int offset() { return offset; }

    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public int dim(int axis) { return shape[axis < 0 ? shape.length + axis : axis]; }

    public int size() { return size; }

    public float get(int... index) { return data[offset + flatIndex(index)]; }

    public void set(float value, int... index) { data[offset + flatIndex(index)] = value; }

    /** The i-th element in row-major order. */
    public float at(int i) { return data[offset + i]; }

    /** The only element of a one-element tensor. */
    public float item() {
        if (size != 1) throw new IllegalStateException("item() needs one element; shape is " + Arrays.toString(shape));
        return data[offset];
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) along the first axis; a view. */
    public Tensor slice(int from, int to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from > to) {
            throw new IndexOutOfBoundsException("slice " + from + ".." + to + " of shape " + Arrays.toString(shape));
        }
        int[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(data, offset + from * stride0(), s);
    }

    /** Index {@code i} of the first axis, with that axis removed; a view. */
    public Tensor select(int i) {
        if (shape.length == 0 || i < 0 || i >= shape[0]) {
            throw new IndexOutOfBoundsException("index " + i + " of shape " + Arrays.toString(shape));
        }
        return new Tensor(data, offset + i * stride0(), Arrays.copyOfRange(shape, 1, shape.length));
    }

    /** The same values with another shape of the same size; a view. One dimension may be -1. */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1 && unknown < 0) unknown = i;
            else known *= s[i];
        }
        if (unknown >= 0 && known > 0 && size % known == 0) s[unknown] = (int) (size / known);
        if (sizeOf(s) != size) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Tensor(data, offset, s);
    }

    /** A copy of the values (and of the quantized form they come from, if any). */
    public Tensor copy() {
        Tensor copy = new Tensor(Arrays.copyOfRange(data, offset, offset + size), 0, shape.clone());
        copy.quantized = quantized;
        return copy;
    }

    /**
     * The int8 or bfloat16 form these values were dequantized from (a weight of a quantized model file), or null.
     * The values are {@code quantized().dequantize()}; kernels may read the smaller form instead.
     */
    public QuantizedWeights quantized() {
        return quantized;
    }

    /** Marks this [rows, cols] tensor as holding {@code q}'s dequantized values, which it must already hold. */
    public void attach(QuantizedWeights q) {
        if (shape.length != 2 || shape[0] != q.rows() || shape[1] != q.cols()) {
            throw new IllegalArgumentException("a " + q + " form does not fit a tensor of shape " + shapeString());
        }
        this.quantized = q;
    }

    /** A fresh zero tensor of this shape. */
    public Tensor zerosLike() { return zeros(shape); }

    public float[] toArray() { return Arrays.copyOfRange(data, offset, offset + size); }

    public void fill(float value) { Arrays.fill(data, offset, offset + size, value); }

    /** Copies {@code source}'s values into this tensor; the sizes must match. */
    public void copyFrom(Tensor source) {
        requireSameSize(source);
        System.arraycopy(source.data, source.offset, data, offset, size);
        quantized = null;
    }

    public boolean sameShape(Tensor other) { return Arrays.equals(shape, other.shape); }

    /** The index in row-major order of the first NaN or infinite value, or -1. */
    public int firstNonFinite() {
        for (int i = 0; i < size; i++) if (!Float.isFinite(data[offset + i])) return i;
        return -1;
    }

    /** A flat index as a multi-index, e.g. 7 in [2, 4] is [1, 3]. */
    public int[] unflatten(int flat) {
        int[] index = new int[shape.length];
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            index[axis] = shape[axis] == 0 ? 0 : flat % shape[axis];
            flat = shape[axis] == 0 ? 0 : flat / shape[axis];
        }
        return index;
    }

    public String shapeString() { return Arrays.toString(shape); }

    @Override
    public String toString() {
        var sb = new StringBuilder("Tensor").append(Arrays.toString(shape)).append(' ');
        int n = Math.min(size, 8);
        sb.append('[');
        for (int i = 0; i < n; i++) sb.append(i > 0 ? ", " : "").append(data[offset + i]);
        return sb.append(size > n ? ", ...]" : "]").toString();
    }

    private int stride0() { return shape[0] == 0 ? 0 : size / shape[0]; }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " for shape " + Arrays.toString(shape));
        }
        int flat = 0;
        for (int axis = 0; axis < shape.length; axis++) {
            if (index[axis] < 0 || index[axis] >= shape[axis]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " for shape " + Arrays.toString(shape));
            }
            flat = flat * shape[axis] + index[axis];
        }
        return flat;
    }

    private void requireSameSize(Tensor other) {
        if (other.size != size) {
            throw new IllegalArgumentException("sizes differ: " + Arrays.toString(shape) + " and " + Arrays.toString(other.shape));
        }
    }
}
