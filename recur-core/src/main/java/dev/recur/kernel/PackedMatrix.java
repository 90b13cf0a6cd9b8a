package dev.recur.kernel;

import dev.recur.tensor.QuantizedWeights;

/**
 * A copy of a matrix B [K, N] laid out for the gemm micro-kernel, made once and multiplied many times — W_hhᵀ
 * for every step of a sequence. Columns are cut into panels {@code width} wide; panel q holds columns
 * q·width .. q·width + width − 1 as K rows of {@code width} floats, zero-padded past N, from {@link #start()}. Made by
 * {@link Kernels#pack(Mat)}; a snapshot: later changes to the source are not seen.
 */
public final class PackedMatrix {
    private final float[] panels;
    private final int rows, cols, width, start = Alignment.SKIP;
    /** The same panels in int8 (with one scale per column, padded to whole panels) or bfloat16, or null. */
    private volatile byte[] int8;   // volatile: published whole, after its scales, to threads already multiplying
    private float[] scales;
    private volatile short[] bf16;
    /** A transposed view of a quantized weight whose narrow panels are made when a product of few rows first asks. */
    private Mat narrowSource;

    PackedMatrix(int rows, int cols, int width) {
        this.rows = rows;
        this.cols = cols;
        this.width = width;
        this.panels = new float[Math.addExact(start, Math.multiplyExact(rows, (cols + width - 1) / width * width))];
    }

    /** Panels per task when packing is split over the threads: 16 MiB of W_hhᵀ (lstm-large) is 128 panels. */
    private static final int PANELS_PER_TASK = 8;

    /**
     * Copies op(B) into panels, a run of panels per task of {@link Parallel}. An untransposed B gives each panel row
     * as one contiguous copy; a transposed B (W_hhᵀ: column j of op(B) is row j of W_hh) is read 16 values of k at a
     * time from each of the panel's stored rows, so every cache line read is used whole while the 16 panel rows it
     * fills stay in L1. (Column by column, as before, lstm-large's 16 MiB took 9–16 ms, 4–7 % of its forward pass.)
     */
    static PackedMatrix of(Mat b, int width) {
        var p = new PackedMatrix(b.rows(), b.cols(), width);
        int panels = (b.cols() + width - 1) / width;
        int per = (long) b.rows() * b.cols() < (1 << 16) ? Math.max(1, panels) : PANELS_PER_TASK;   // small: one task
        Parallel.forEach((panels + per - 1) / per, t -> {
            for (int q = t * per; q < Math.min(panels, t * per + per); q++) p.fill(b, q);
        });
        if (b.narrow() != null && b.transposed()) p.narrowSource = b;
        return p;
    }

    /** Fills panel q from op(B); the padding past N stays zero. */
    private void fill(Mat b, int q) {
        float[] src = b.data(), dst = panels;
        int k = rows, col0 = q * width, w = Math.min(width, cols - col0), to = start + col0 * k;
        if (!b.transposed()) {
            for (int r = 0; r < k; r++) System.arraycopy(src, b.offset() + r * b.stride() + col0, dst, to + r * width, w);
            return;
        }
        for (int r0 = 0; r0 < k; r0 += 16) {
            int r1 = Math.min(k, r0 + 16);
            for (int j = 0; j < w; j++) {
                int from = b.offset() + (col0 + j) * b.stride();
                for (int r = r0; r < r1; r++) dst[to + r * width + j] = src[from + r];
            }
        }
    }

    /**
     * True when the products of up to four rows can read int8 or bfloat16 panels: made, the first time one asks, from
     * the narrow form of the quantized weight this matrix was packed from (op(B) = Wᵀ: column j of op(B) is row j of W,
     * so W's row scales are the columns' scales) and kept with that form.
     */
    boolean narrowPanels() {
        if (int8 == null && bf16 == null && narrowSource != null) makeNarrowPanels();
        return int8 != null || bf16 != null;
    }

    private synchronized void makeNarrowPanels() {
        if (int8 != null || bf16 != null) return;
        Mat b = narrowSource;
        QuantizedWeights form = b.narrow().form();
        NarrowPanels made = form.derived(new View(b.offset() - b.narrow().origin(), rows, cols, b.stride(), width), view -> view.pack(form));
        scales = made.scales;
        if (made.int8 != null) int8 = made.int8;
        else bf16 = made.bf16;
        narrowSource = null;
    }

    /** Packed narrow panels of one view of a quantized weight. */
    private record NarrowPanels(byte[] int8, float[] scales, short[] bf16) {}

    /**
     * A transposed view of a quantized weight W [R, stride] by where it starts in W and its shape: op(B) [rows, cols],
     * column j being W's values from {@code offset + j·stride}.
     */
    private record View(int offset, int rows, int cols, int stride, int width) {
        NarrowPanels pack(QuantizedWeights form) {
            int padded = (cols + width - 1) / width * width;
            byte[] q = form.int8Values(), int8 = q == null ? null : new byte[rows * padded];
            short[] bits = form.bf16Bits(), bf16 = bits == null ? null : new short[rows * padded];
            float[] scales = q == null ? null : new float[padded];
            for (int j = 0; j < cols; j++) {
                int from = offset + j * stride, to = slot(0, j, rows, width);
                if (q != null) {
                    scales[j] = form.scales()[from / stride];
                    for (int k = 0; k < rows; k++) int8[to + k * width] = q[from + k];
                } else {
                    for (int k = 0; k < rows; k++) bf16[to + k * width] = bits[from + k];
                }
            }
            return new NarrowPanels(int8, scales, bf16);
        }
    }

    /** The int8 panels (from 0, no alignment skip), or null. */
    byte[] int8() {
        return int8;
    }

    /** The int8 panels' column scales, padded to whole panels. */
    float[] scales() {
        return scales;
    }

    /** The bfloat16 panels (from 0), or null. */
    short[] bf16() {
        return bf16;
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
        return panels[start + slot(k, j, rows, width)];
    }

    /** Where element (k, j) of a K-row matrix lies in panels {@code width} wide, counted from the first panel. */
    private static int slot(int k, int j, int rows, int width) {
        return (j / width) * width * rows + k * width + j % width;
    }

    public String describe() {
        return rows + "x" + cols + " (packed)";
    }
}
