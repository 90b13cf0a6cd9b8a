package dev.recur.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels on the Vector API, with the preferred species (16 lanes with AVX-512, 8 with AVX2), split over
 * {@link Parallel}'s pool. Loaded by {@link Selection} through reflection, so nothing else links to
 * {@code jdk.incubator.vector}.
 * <p>
 * gemm follows Goto and van de Geijn's layered loops: a [KC, NC] block of op(B) is packed into panels NR = 2·L
 * columns wide; for each MR rows of op(A), an [MR, KC] panel is packed (times α) and the micro-kernel
 * ({@link Gemm}) keeps the MR × NR tile of C in registers while it runs over KC. One to four rows of A (a
 * recurrent step with a small batch) are bandwidth-bound and take an unpacked matrix-vector path per row. Elementwise
 * functions are in {@link Activations}.
 */
final class VectorKernels implements Kernels {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Products with fewer multiply-adds than this run on the caller's thread. */
    private static final long PARALLEL_WORK = 1L << 18;

    /**
     * Up to this many rows of A, each row is a matrix-vector product reading B unpacked: measured at K×N = 512×2048,
     * 2 and 4 rows run 2.7× and 1.6× faster than packing B for a mostly empty 8-row tile; 6 rows break even.
     */
    static final int GEMV_ROWS = 4;

    /** Gate kernels over fewer hidden units than this (B·H) run on the caller's thread. */
    private static final int PARALLEL_UNITS = 8192;

    public VectorKernels() {}

    @Override
    public void gemm(float alpha, Mat a, Mat b, float beta, Mat c) {
        Kernels.checkGemm(a, b, c);
        int m = c.rows(), n = c.cols(), k = a.cols();
        if (m == 0 || n == 0) return;
        if (k == 0) {
            Gemm.scale(beta, c);
            return;
        }
        int tasks = (long) m * n * k < PARALLEL_WORK ? 1 : Parallel.threads();
        if (m <= GEMV_ROWS) {
            // A few rows of C, one matrix-vector product each; every task takes a run of columns.
            int step = roundUp(ceilDiv(n, tasks), SPECIES.length());
            Parallel.forEach(ceilDiv(n, step), t -> {
                int from = t * step, to = Math.min(n, from + step);
                for (int i = 0; i < m; i++) {
                    Gemm.gemv(alpha, a.rows(i, i + 1), b.cols(from, to), beta, c.rows(i, i + 1).cols(from, to));
                }
            });
        } else if (n >= m) {
            int step = roundUp(ceilDiv(n, tasks), Gemm.NR);
            Parallel.forEach(ceilDiv(n, step), t -> {
                int from = t * step, to = Math.min(n, from + step);
                Gemm.serial(alpha, a, b.cols(from, to), beta, c.cols(from, to));
            });
        } else {
            int step = roundUp(ceilDiv(m, tasks), Gemm.MR);
            Parallel.forEach(ceilDiv(m, step), t -> {
                int from = t * step, to = Math.min(m, from + step);
                Gemm.serial(alpha, a.rows(from, to), b, beta, c.rows(from, to));
            });
        }
    }

    @Override
    public PackedMatrix pack(Mat b) {
        return PackedMatrix.of(b, packWidth());
    }

    @Override
    public void gemm(float alpha, Mat a, PackedMatrix b, float beta, Mat c) {
        Kernels.checkGemm(a, b, c);
        int m = c.rows(), n = c.cols(), k = a.cols();
        if (m == 0 || n == 0) return;
        if (k == 0) {
            Gemm.scale(beta, c);
            return;
        }
        // Every task takes a run of whole panels of B; a few rows of A are matrix-vector products, one per row.
        int tasks = (long) m * n * k < PARALLEL_WORK ? 1 : Parallel.threads();
        int step = roundUp(ceilDiv(n, tasks), Gemm.NR);
        Parallel.forEach(ceilDiv(n, step), t -> gemmColumns(alpha, a, b, t * step, Math.min(n, t * step + step), beta, c));
    }

    @Override
    public void gemmColumns(float alpha, Mat a, PackedMatrix b, int from, int to, float beta, Mat c) {
        Kernels.checkGemm(a, b, c);
        Kernels.checkColumns(b, from, to);
        int m = c.rows(), k = a.cols();
        if (m == 0 || from == to) return;
        if (k == 0) {
            Gemm.scale(beta, c.cols(from, to));
        } else if (m > GEMV_ROWS) {
            Gemm.serial(alpha, a, b, from, to, beta, c);
        } else if (m > 1) {
            Gemm.gemvFewRows(alpha, a, b, from, to, beta, c);
        } else {
            Gemm.gemv(alpha, a, b, from, to, beta, c);
        }
    }

    @Override
    public int packWidth() {
        return Gemm.NR;
    }

    @Override
    public void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int length) {
        Activations.sigmoid(x, xOffset, y, yOffset, length);
    }

    @Override
    public void tanh(float[] x, int xOffset, float[] y, int yOffset, int length) {
        Activations.tanh(x, xOffset, y, yOffset, length);
    }

    @Override
    public void exp(float[] x, int xOffset, float[] y, int yOffset, int length) {
        Activations.exp(x, xOffset, y, yOffset, length);
    }

    @Override
    public void addRowVector(Mat m, float[] v, int vOffset) {
        Activations.addRowVector(m, v, vOffset);
    }

    @Override
    public float dot(float[] x, int xOffset, float[] y, int yOffset, int length) {
        var acc = FloatVector.zero(SPECIES);
        int i = 0, bound = SPECIES.loopBound(length);
        for (; i < bound; i += SPECIES.length()) {
            acc = FloatVector.fromArray(SPECIES, x, xOffset + i).fma(FloatVector.fromArray(SPECIES, y, yOffset + i), acc);
        }
        float s = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < length; i++) s += x[xOffset + i] * y[yOffset + i];
        return s;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int length) {
        var a = FloatVector.broadcast(SPECIES, alpha);
        int i = 0, bound = SPECIES.loopBound(length);
        for (; i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, x, xOffset + i).fma(a, FloatVector.fromArray(SPECIES, y, yOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < length; i++) y[yOffset + i] += alpha * x[xOffset + i];
    }

    @Override
    public void sumRowsAdd(Mat m, float[] sums, int sumsOffset) {
        Activations.sumRowsAdd(m, sums, sumsOffset);
    }

    @Override
    public void lstmCell(Mat gates, Mat cPrev, Mat cNext, Mat mNext) {
        byRows(gates.rows(), cPrev.cols(), (from, to) -> Cells.lstm(gates.rows(from, to), cPrev.rows(from, to), cNext.rows(from, to),
                mNext.rows(from, to)));
    }

    @Override
    public void lstmCellBackward(Mat gates, Mat cPrev, Mat cNext, Mat dm, Mat dc, Mat dGates) {
        byRows(gates.rows(), cPrev.cols(), (from, to) -> Cells.lstmBackward(gates.rows(from, to), cPrev.rows(from, to),
                cNext.rows(from, to), dm.rows(from, to), dc.rows(from, to), dGates.rows(from, to)));
    }

    @Override
    public void gruCell(Mat gates, Mat hidden, Mat hPrev, Mat hNext, Mat hiddenN) {
        byRows(gates.rows(), hPrev.cols(), (from, to) -> Cells.gru(gates.rows(from, to), hidden.rows(from, to), hPrev.rows(from, to),
                hNext.rows(from, to), hiddenN.rows(from, to)));
    }

    @Override
    public void gruCellBackward(Mat gates, Mat hiddenN, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH) {
        byRows(gates.rows(), hPrev.cols(), (from, to) -> Cells.gruBackward(gates.rows(from, to), hiddenN.rows(from, to),
                hPrev.rows(from, to), dh.rows(from, to), dGatesX.rows(from, to), dGatesH.rows(from, to)));
    }

    @Override
    public void gruResetGates(Mat gates, Mat hidden, Mat hPrev, Mat resetH) {
        byRows(gates.rows(), hPrev.cols(), (from, to) -> Cells.gruResetGates(gates.rows(from, to), hidden.rows(from, to),
                hPrev.rows(from, to), resetH.rows(from, to)));
    }

    @Override
    public void gruResetBeforeCell(Mat gates, Mat hiddenN, Mat hPrev, Mat hNext) {
        byRows(gates.rows(), hPrev.cols(), (from, to) -> Cells.gruResetBefore(gates.rows(from, to), hiddenN.rows(from, to),
                hPrev.rows(from, to), hNext.rows(from, to)));
    }

    @Override
    public void gruResetBeforeCellBackward(Mat gates, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH) {
        byRows(gates.rows(), hPrev.cols(), (from, to) -> Cells.gruResetBeforeBackward(gates.rows(from, to), hPrev.rows(from, to),
                dh.rows(from, to), dGatesX.rows(from, to), dGatesH.rows(from, to)));
    }

    @Override
    public void gruResetGatesBackward(Mat gates, Mat hPrev, Mat dResetH, Mat dh, Mat dGatesX, Mat dGatesH) {
        byRows(gates.rows(), hPrev.cols(), (from, to) -> Cells.gruResetGatesBackward(gates.rows(from, to), hPrev.rows(from, to),
                dResetH.rows(from, to), dh.rows(from, to), dGatesX.rows(from, to), dGatesH.rows(from, to)));
    }

    @Override
    public void rnnCell(Mat pre, Mat hNext, Activation act) {
        byRows(pre.rows(), pre.cols(), (from, to) -> Cells.rnn(pre.rows(from, to), hNext.rows(from, to), act));
    }

    @Override
    public void rnnCellBackward(Mat hNext, Mat dh, Mat dGates, Activation act) {
        byRows(hNext.rows(), hNext.cols(), (from, to) -> Cells.rnnBackward(hNext.rows(from, to), dh.rows(from, to),
                dGates.rows(from, to), act));
    }

    @Override
    public String name() {
        int bits = SPECIES.vectorBitSize();
        String isa = bits >= 512 ? "AVX-512" : bits == 256 ? "AVX2" : bits + "-bit";
        return "vector (" + isa + ", " + SPECIES.length() + " lanes)";
    }

    /** Rows [from, to) of a pointwise step kernel. */
    private interface RowRange {
        void run(int from, int to);
    }

    /**
     * Splits the B rows of a gate kernel over the threads when there are enough units to pay for waking them
     * (B·H ≥ {@link #PARALLEL_UNITS}); the step's products already use both, so the pointwise part would otherwise
     * leave one idle.
     */
    private static void byRows(int rows, int units, RowRange body) {
        int tasks = (long) rows * units < PARALLEL_UNITS ? 1 : Math.min(rows, Parallel.threads());
        int step = ceilDiv(rows, tasks);
        Parallel.forEach(ceilDiv(rows, step), t -> body.run(t * step, Math.min(rows, t * step + step)));
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    static int roundUp(int x, int multiple) {
        return ceilDiv(x, multiple) * multiple;
    }
}
