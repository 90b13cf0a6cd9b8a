package dev.recur.kernel;

/**
 * A copy of a matrix B [K, N] laid out for the gemm micro-kernel, made once and multiplied many times — W_hhᵀ
 * for every step of a sequence. Columns are cut into panels {@code width} wide; panel q holds columns
 * q·width .. q·width + width − 1 as K rows of {@code width} floats, zero-padded past N, from {@link #start()}. Made by
 * {@link Kernels#pack(Mat)}; a snapshot: later changes to the source are not seen.
 */
public final class PackedMatrix {
    private final float[] panels;
    private final int rows, cols, width, start = Alignment.SKIP;

    PackedMatrix(int rows, int cols, int width) {
        this.rows = rows;
        this.cols = cols;
        this.width = width;
        this.panels = new float[Math.addExact(start, Math.multiplyExact(rows, (cols + width - 1) / width * width))];
    }

    /** Copies op(B) into panels. */
    static PackedMatrix of(Mat b, int width) {
        var p = new PackedMatrix(b.rows(), b.cols(), width);
        float[] src = b.data(), dst = p.panels;
        int k = b.rows();
        for (int col = 0; col < b.cols(); col++) {
            int to = p.start + (col / width) * width * k + col % width;
            if (b.transposed()) {
                // Column col of op(B) is stored row col: read it in order.
                int from = b.offset() + col * b.stride();
                for (int r = 0; r < k; r++) dst[to + r * width] = src[from + r];
            } else {
                for (int r = 0; r < k; r++) dst[to + r * width] = src[b.offset() + r * b.stride() + col];
            }
        }
        return p;
    }

    /** K. */
    public int rows() {
        return rows;
    }

    /** N. */
    public int cols() {
        return cols;
    }

    float[] panels() {
        return panels;
    }

    /** Where panel 0 starts in {@link #panels()}: on a 64-byte line when the JVM says where that is. */
    int start() {
        return start;
    }

    /** Columns per panel. */
    public int width() {
        return width;
    }

    /** Element (k, j). */
    public float get(int k, int j) {
        return panels[start + (j / width) * width * rows + k * width + j % width];
    }

    public String describe() {
        return rows + "x" + cols + " (packed)";
    }
}
