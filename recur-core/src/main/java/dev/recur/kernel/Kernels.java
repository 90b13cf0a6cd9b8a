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
