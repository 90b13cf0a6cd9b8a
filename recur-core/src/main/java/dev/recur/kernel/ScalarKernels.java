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
    public void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int length) {
        for (int i = 0; i < length; i++) y[yOffset + i] = (float) (1 / (1 + Math.exp(-x[xOffset + i])));
    }

    @Override
    public void tanh(float[] x, int xOffset, float[] y, int yOffset, int length) {
        for (int i = 0; i < length; i++) y[yOffset + i] = (float) Math.tanh(x[xOffset + i]);
    }

    @Override
    public void exp(float[] x, int xOffset, float[] y, int yOffset, int length) {
        for (int i = 0; i < length; i++) y[yOffset + i] = (float) Math.exp(x[xOffset + i]);
    }

    @Override
    public void addRowVector(Mat m, float[] v, int vOffset) {
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.cols(); j++) m.set(i, j, m.get(i, j) + v[vOffset + j]);
        }
    }

    @Override
    public void sumRowsAdd(Mat m, float[] sums, int sumsOffset) {
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.cols(); j++) sums[sumsOffset + j] += m.get(i, j);
        }
    }

    @Override
    public String name() {
        return "scalar";
    }
}
