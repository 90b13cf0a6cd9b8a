package dev.recur.kernel;

import dev.recur.tensor.QuantizedWeights;
import dev.recur.tensor.Tensor;

/**
 * A view of a matrix inside a float array: element (i, j) is {@code data[offset + i·stride + j]}, or, when
 * {@code transposed}, {@code data[offset + j·stride + i]} (the transpose of a stored row-major matrix).
 * Views are cheap records; {@link #t()}, {@link #rows(int, int)} and {@link #cols(int, int)} never copy.
 *
 * @param rows   logical rows
 * @param cols   logical columns
 * @param stride distance between consecutive rows of the stored (untransposed) matrix
 * @param narrow the int8 or bfloat16 form the stored values were dequantized from (a quantized model's weight), or
 *               null; kernels may read it instead of {@code data}, and ignoring it computes the same values
 */
public record Mat(float[] data, int offset, int rows, int cols, int stride, boolean transposed, Narrow narrow) {

    /**
     * The stored matrix's narrow form: {@code data[i]} is {@code form}'s element {@code i − origin} (row-major, as
     * wide as the stride).
     */
    public record Narrow(QuantizedWeights form, int origin) {}

    public Mat(float[] data, int offset, int rows, int cols, int stride, boolean transposed) {
        this(data, offset, rows, cols, stride, transposed, null);
    }

    public Mat {
        if (rows < 0 || cols < 0 || offset < 0) {
            throw new IllegalArgumentException("bad view: " + rows + "x" + cols + " at offset " + offset);
        }
        int storedRows = transposed ? cols : rows;
        int storedCols = transposed ? rows : cols;
        if (storedRows > 0 && storedCols > 0) {
            if (stride < storedCols) {
                throw new IllegalArgumentException("stride " + stride + " is less than the " + storedCols + " stored columns");
            }
            long last = offset + (long) (storedRows - 1) * stride + storedCols;
            if (last > data.length) {
                throw new IllegalArgumentException("view " + rows + "x" + cols + " (stride " + stride + ", offset " + offset
                        + ") reaches element " + last + " of an array of " + data.length);
            }
        }
    }

    /** A dense row-major matrix at the start of {@code data}. */
    public static Mat of(float[] data, int rows, int cols) {
        return new Mat(data, 0, rows, cols, cols, false);
    }

    /** A dense row-major matrix at {@code offset}. */
    public static Mat of(float[] data, int offset, int rows, int cols) {
        return new Mat(data, offset, rows, cols, cols, false);
    }

    /**
     * A tensor as [product of leading dimensions, last dimension]; a scalar is [1, 1]. A quantized weight's view
     * carries its narrow form ({@link Tensor#quantized()}).
     */
    public static Mat of(Tensor t) {
        int cols = t.rank() == 0 ? 1 : t.dim(-1);
        QuantizedWeights q = t.quantized();
        return new Mat(t.data(), t.offset(), cols == 0 ? 0 : t.size() / cols, cols, cols, false,
                q == null ? null : new Narrow(q, t.offset()));
    }

    /** A tensor as a [rows, cols] matrix; rows·cols must equal its size. */
    public static Mat of(Tensor t, int rows, int cols) {
        if ((long) rows * cols != t.size()) {
            throw new IllegalArgumentException("tensor " + t.shapeString() + " is not a " + rows + "x" + cols + " matrix");
        }
        return new Mat(t.data(), t.offset(), rows, cols, cols, false);
    }

    /** The transpose; a view. */
    public Mat t() {
        return new Mat(data, offset, cols, rows, stride, !transposed, narrow);
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive); a view. */
    public Mat rows(int from, int to) {
        check(from, to, rows, "rows");
        int shift = transposed ? from : from * stride;
        return new Mat(data, offset + shift, to - from, cols, stride, transposed, narrow);
    }

    /** The first {@code n} rows; a view. */
    public Mat rows(int n) {
        return rows(0, n);
    }

    /** Columns {@code from} (inclusive) to {@code to} (exclusive); a view. */
    public Mat cols(int from, int to) {
        check(from, to, cols, "columns");
        int shift = transposed ? from * stride : from;
        return new Mat(data, offset + shift, rows, to - from, stride, transposed, narrow);
    }

    public float get(int i, int j) {
        return data[index(i, j)];
    }

    public void set(int i, int j, float value) {
        data[index(i, j)] = value;
    }

    public int index(int i, int j) {
        return transposed ? offset + j * stride + i : offset + i * stride + j;
    }

    /** True when rows are contiguous with no gaps, so the view is one run of rows·cols floats. */
    public boolean dense() {
        return !transposed && (stride == cols || rows <= 1);
    }

    public void fill(float value) {
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) set(i, j, value);
    }

    public String describe() {
        return rows + "x" + cols + (transposed ? " (transposed)" : "");
    }

    private static void check(int from, int to, int n, String what) {
        if (from < 0 || to > n || from > to) {
            throw new IndexOutOfBoundsException(what + " " + from + ".." + to + " of " + n);
        }
    }
}
