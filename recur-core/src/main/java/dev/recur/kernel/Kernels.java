package dev.recur.kernel;

/**
 * The numeric kernels every operation is built on. Kernels take caller-owned buffers as {@link Mat} views and
 * allocate nothing; an argument is modified only where its Javadoc says so.
 * <p>
 * {@link ScalarKernels} is the plain reference and the test oracle; {@code VectorKernels} uses the Vector API
 * and the shared thread pool ({@link Parallel}). {@link #get()} picks one once, at start-up: the Vector API one
 * when the {@code jdk.incubator.vector} module is present, unless the system property {@code recur.kernels} is
 * {@code scalar}.
 */
public interface Kernels {

    /**
     * C = α·A·B + β·C, with A [m, k], B [k, n] and C [m, n]. Transposed views of A and B are read in place.
     * When β = 0, C's old values are ignored (even NaN).
     *
     * @param a not modified
     * @param b not modified
     * @param c modified; must not be a transposed view nor overlap A or B
     */
    void gemm(float alpha, Mat a, Mat b, float beta, Mat c);

    /** C = A·B. */
    default void matmul(Mat a, Mat b, Mat c) {
        gemm(1f, a, b, 0f, c);
    }

    /** C += A·B. */
    default void matmulAdd(Mat a, Mat b, Mat c) {
        gemm(1f, a, b, 1f, c);
    }

    /** A copy of op(B) [K, N] laid out for {@link #gemm(float, Mat, PackedMatrix, float, Mat)}, to multiply many times. */
    PackedMatrix pack(Mat b);

    /**
     * C = α·A·B + β·C with B packed by {@link #pack(Mat)}: as {@link #gemm(float, Mat, Mat, float, Mat)} without
     * copying B again — the recurrent product h·W_hhᵀ of every step of a sequence.
     *
     * @param c modified; must not be a transposed view nor overlap A
     */
    void gemm(float alpha, Mat a, PackedMatrix b, float beta, Mat c);

    /**
     * C[:, from .. to] = α·A·B[:, from .. to] + β·C[:, from .. to] with B packed, on the calling thread: for a caller
     * that splits one product's columns among its own tasks. {@code from} is a multiple of {@link #packWidth()}.
     */
    void gemmColumns(float alpha, Mat a, PackedMatrix b, int from, int to, float beta, Mat c);

    /** The panel width of {@link #pack(Mat)}: how many columns of B one panel holds. */
    int packWidth();

    /** C += A·B, B packed. */
    default void matmulAdd(Mat a, PackedMatrix b, Mat c) {
        gemm(1f, a, b, 1f, c);
    }

    /** C = A·B, B packed. */
    default void matmul(Mat a, PackedMatrix b, Mat c) {
        gemm(1f, a, b, 0f, c);
    }

    /**
     * y[yOffset + i] = σ(x[xOffset + i]) = 1 / (1 + e^−x) for i in [0, length); x and y may be the same range.
     *
     * @param x not modified (unless it is y)
     * @param y modified
     */
    void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int length);

    /** y[yOffset + i] = tanh(x[xOffset + i]) for i in [0, length); x and y may be the same range. */
    void tanh(float[] x, int xOffset, float[] y, int yOffset, int length);

    /** y[yOffset + i] = e^x[xOffset + i] for i in [0, length); x and y may be the same range. */
    void exp(float[] x, int xOffset, float[] y, int yOffset, int length);

    /**
     * m[i, j] += v[vOffset + j] for every row i: a bias added to every row of a batch.
     *
     * @param m modified
     * @param v not modified; holds m.cols() values from vOffset
     */
    void addRowVector(Mat m, float[] v, int vOffset);

    /**
     * sums[sumsOffset + j] += Σ_i m[i, j]: column sums accumulated, as a bias gradient is.
     *
     * @param m    not modified
     * @param sums modified; holds m.cols() values from sumsOffset
     */
    void sumRowsAdd(Mat m, float[] sums, int sumsOffset);

    /** Σ_i x[xOffset + i]·y[yOffset + i] over {@code length} elements (in float; the order of the sum may vary). */
    float dot(float[] x, int xOffset, float[] y, int yOffset, int length);

    /** y[yOffset + i] += alpha·x[xOffset + i] over {@code length} elements. */
    void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int length);

    /**
     * One LSTM step for every row of a batch (docs/derivations/lstm.md). {@code gates} [B, 4H] holds the
     * pre-activations and is overwritten with i = σ, f = σ, g = tanh, o = σ; writes c' = f ⊙ c + i ⊙ g into
     * {@code cNext} and m = o ⊙ tanh(c') into {@code mNext} [B, H].
     *
     * @param gates modified
     * @param cPrev not modified
     * @param cNext modified
     * @param mNext modified
     */
    void lstmCell(Mat gates, Mat cPrev, Mat cNext, Mat mNext);

    /**
     * The LSTM step backwards, from the saved activations {@code gates} [B, 4H] and cells c, c' [B, H]: reads dm
     * [B, H], the gradient of o ⊙ tanh(c'); writes the pre-activation gradients into {@code dGates} [B, 4H] and
     * turns {@code dc} [B, H] from dc' into dc.
     *
     * @param dm     not modified
     * @param dc     modified
     * @param dGates modified
     */
    void lstmCellBackward(Mat gates, Mat cPrev, Mat cNext, Mat dm, Mat dc, Mat dGates);

    /**
     * One GRU step for every row (docs/derivations/gru.md). {@code gates} [B, 3H] holds W_ih x + b_ih and is
     * overwritten with r, z, n; {@code hidden} [B, 3H] holds W_hh h + b_hh. Writes h' = (1 − z) ⊙ n + z ⊙ h into
     * {@code hNext} and W_hn h + b_hn into {@code hiddenN} [B, H], which the backward pass needs.
     *
     * @param gates   modified
     * @param hidden  not modified
     * @param hNext   modified
     * @param hiddenN modified
     */
    void gruCell(Mat gates, Mat hidden, Mat hPrev, Mat hNext, Mat hiddenN);

    /**
     * The GRU step backwards: reads dh' from {@code dh} [B, H] and replaces it with its direct part dh' ⊙ z; writes
     * the gradients of W_ih x + b_ih into {@code dGatesX} and of W_hh h + b_hh into {@code dGatesH} [B, 3H].
     *
     * @param dh      modified
     * @param dGatesX modified
     * @param dGatesH modified
     */
    void gruCellBackward(Mat gates, Mat hiddenN, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH);

    /**
     * The first half of a reset-before GRU step (docs/derivations/gru.md), whose n needs W_hn (r ⊙ h): {@code gates}
     * [B, 3H] holds W_ih x + b_ih and its r, z columns are overwritten with r = σ(· + W_hr h + b_hr) and z = σ(· +
     * W_hz h + b_hz), read from the first 2H columns of {@code hidden} [B, ≥ 2H]; writes r ⊙ h into {@code resetH} [B, H].
     *
     * @param gates  modified (columns 0 .. 2H)
     * @param hidden not modified
     * @param resetH modified
     */
    void gruResetGates(Mat gates, Mat hidden, Mat hPrev, Mat resetH);

    /**
     * The second half: n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn), the last term read from {@code hiddenN} [B, H],
     * overwrites the n columns of {@code gates}; writes h' = (1 − z) ⊙ n + z ⊙ h into {@code hNext}.
     *
     * @param gates    modified (columns 2H .. 3H)
     * @param hiddenN  not modified
     * @param hNext    modified
     */
    void gruResetBeforeCell(Mat gates, Mat hiddenN, Mat hPrev, Mat hNext);

    /**
     * The second half backwards, from the saved r, z, n: reads dh' from {@code dh} [B, H] and replaces it with dh' ⊙ z;
     * writes the gradients of the z and n pre-activations into columns H .. 3H of {@code dGatesX} and {@code dGatesH}
     * [B, 3H] (the same values in both: dn there is the gradient of W_hn (r ⊙ h) + b_hn too).
     *
     * @param dh      modified
     * @param dGatesX modified (columns H .. 3H)
     * @param dGatesH modified (columns H .. 3H)
     */
    void gruResetBeforeCellBackward(Mat gates, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH);

    /**
     * The first half backwards: from d(r ⊙ h) in {@code dResetH} [B, H], writes dr ⊙ σ'(r) = d(r ⊙ h) ⊙ h ⊙ r(1 − r)
     * into the r columns of {@code dGatesX} and {@code dGatesH} and adds d(r ⊙ h) ⊙ r to {@code dh} [B, H].
     *
     * @param dResetH not modified
     * @param dh      modified
     * @param dGatesX modified (columns 0 .. H)
     * @param dGatesH modified (columns 0 .. H)
     */
    void gruResetGatesBackward(Mat gates, Mat hPrev, Mat dResetH, Mat dh, Mat dGatesX, Mat dGatesH);

    /**
     * One Elman step for every row (docs/derivations/rnn.md): h' = tanh(a) or max(a, 0), as {@code act} says, from
     * the pre-activations a in {@code pre} [B, H].
     *
     * @param pre   not modified
     * @param hNext modified
     */
    void rnnCell(Mat pre, Mat hNext, Activation act);

    /**
     * The Elman step backwards: dGates = dh' ⊙ act'(a), written from h' = act(a) alone (1 − h'² for tanh; 1 where
     * h' &gt; 0 for ReLU).
     *
     * @param hNext  not modified
     * @param dh     not modified
     * @param dGates modified
     */
    void rnnCellBackward(Mat hNext, Mat dh, Mat dGates, Activation act);

    /** A short name for logs and benchmark tables, e.g. "vector (AVX-512, 16 lanes)". */
    String name();

    /** The kernels chosen for this process. */
    static Kernels get() {
        return Selection.CHOSEN;
    }

    /** The scalar reference kernels. */
    static Kernels scalar() {
        return Selection.SCALAR;
    }

    /** Throws when a column range of a packed B is not one {@link #gemmColumns} can take. */
    static void checkColumns(PackedMatrix b, int from, int to) {
        if (from < 0 || from > to || to > b.cols() || from % b.width() != 0) {
            throw new IllegalArgumentException("gemmColumns: columns " + from + ".." + to + " of " + b.describe()
                    + " (panels " + b.width() + " wide): need 0 ≤ from ≤ to ≤ N, from a multiple of the panel width");
        }
    }

    /** Throws when the shapes of a gemm with a packed B do not fit together. */
    static void checkGemm(Mat a, PackedMatrix b, Mat c) {
        if (a.cols() != b.rows() || c.rows() != a.rows() || c.cols() != b.cols()) {
            throw new IllegalArgumentException("gemm: cannot multiply " + a.describe() + " by " + b.describe()
                    + " into " + c.describe());
        }
        if (c.transposed()) throw new IllegalArgumentException("gemm: the output must not be a transposed view");
    }

    /** Throws when the shapes of a gemm do not fit together, naming both. */
    static void checkGemm(Mat a, Mat b, Mat c) {
        if (a.cols() != b.rows() || c.rows() != a.rows() || c.cols() != b.cols()) {
            throw new IllegalArgumentException("gemm: cannot multiply " + a.describe() + " by " + b.describe()
                    + " into " + c.describe());
        }
        if (c.transposed()) {
            throw new IllegalArgumentException("gemm: the output must not be a transposed view");
        }
    }
}
