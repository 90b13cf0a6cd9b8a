package dev.recur.kernel;

/** Plain loops, one element at a time: the reference every faster kernel is tested against. */
public final class ScalarKernels implements Kernels {

    @Override
    public void gemm(float alpha, Mat a, Mat b, float beta, Mat c) {
        Kernels.checkGemm(a, b, c);
        int m = c.rows(), n = c.cols(), k = a.cols();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) sum += a.get(i, p) * b.get(p, j);
                float old = beta == 0f ? 0f : beta * c.get(i, j);
                c.set(i, j, alpha * sum + old);
            }
        }
    }

    @Override
    public String name() {
        return "scalar";
    }
}
