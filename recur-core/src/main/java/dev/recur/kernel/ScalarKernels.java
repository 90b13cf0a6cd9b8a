package dev.recur.kernel;

/**
 * Plain loops, one element at a time: the reference every faster kernel is tested against. Its cells are the step
 * equations of docs/derivations/lstm.md, gru.md and rnn.md, written out one unit at a time.
 */
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
    public PackedMatrix pack(Mat b) {
        return PackedMatrix.of(b, packWidth());
    }

    @Override
    public void gemm(float alpha, Mat a, PackedMatrix b, float beta, Mat c) {
        gemmColumns(alpha, a, b, 0, c.cols(), beta, c);
    }

    @Override
    public void gemmColumns(float alpha, Mat a, PackedMatrix b, int from, int to, float beta, Mat c) {
        Kernels.checkGemm(a, b, c);
        Kernels.checkColumns(b, from, to);
        for (int i = 0; i < c.rows(); i++) {
            for (int j = from; j < to; j++) {
                float sum = 0f;
                for (int p = 0; p < a.cols(); p++) sum += a.get(i, p) * b.get(p, j);
                float old = beta == 0f ? 0f : beta * c.get(i, j);
                c.set(i, j, alpha * sum + old);
            }
        }
    }

    @Override
    public int packWidth() {
        return 16;
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
    public float dot(float[] x, int xOffset, float[] y, int yOffset, int length) {
        float s = 0;
        for (int i = 0; i < length; i++) s += x[xOffset + i] * y[yOffset + i];
        return s;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int length) {
        for (int i = 0; i < length; i++) y[yOffset + i] += alpha * x[xOffset + i];
    }

    @Override
    public void sumRowsAdd(Mat m, float[] sums, int sumsOffset) {
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.cols(); j++) sums[sumsOffset + j] += m.get(i, j);
        }
    }

    @Override
    public void lstmCell(Mat gates, Mat cPrev, Mat cNext, Mat mNext) {
        int h = cPrev.cols();
        for (int b = 0; b < gates.rows(); b++) {
            for (int j = 0; j < h; j++) {
                float i = sigmoid(gates.get(b, j)), f = sigmoid(gates.get(b, h + j));
                float g = (float) Math.tanh(gates.get(b, 2 * h + j)), o = sigmoid(gates.get(b, 3 * h + j));
                gates.set(b, j, i);
                gates.set(b, h + j, f);
                gates.set(b, 2 * h + j, g);
                gates.set(b, 3 * h + j, o);
                float c = f * cPrev.get(b, j) + i * g;
                cNext.set(b, j, c);
                mNext.set(b, j, o * (float) Math.tanh(c));
            }
        }
    }

    @Override
    public void lstmCellBackward(Mat gates, Mat cPrev, Mat cNext, Mat dm, Mat dc, Mat dGates) {
        int h = cPrev.cols();
        for (int b = 0; b < gates.rows(); b++) {
            for (int j = 0; j < h; j++) {
                float i = gates.get(b, j), f = gates.get(b, h + j), g = gates.get(b, 2 * h + j), o = gates.get(b, 3 * h + j);
                float tc = (float) Math.tanh(cNext.get(b, j)), dmj = dm.get(b, j);
                float dcj = dc.get(b, j) + dmj * o * (1 - tc * tc);
                dGates.set(b, j, dcj * g * i * (1 - i));
                dGates.set(b, h + j, dcj * cPrev.get(b, j) * f * (1 - f));
                dGates.set(b, 2 * h + j, dcj * i * (1 - g * g));
                dGates.set(b, 3 * h + j, dmj * tc * o * (1 - o));
                dc.set(b, j, dcj * f);
            }
        }
    }

    @Override
    public void gruCell(Mat gates, Mat hidden, Mat hPrev, Mat hNext, Mat hiddenN) {
        int h = hPrev.cols();
        for (int b = 0; b < gates.rows(); b++) {
            for (int j = 0; j < h; j++) {
                float r = sigmoid(gates.get(b, j) + hidden.get(b, j));
                float z = sigmoid(gates.get(b, h + j) + hidden.get(b, h + j));
                float hn = hidden.get(b, 2 * h + j);
                float n = (float) Math.tanh(gates.get(b, 2 * h + j) + r * hn);
                gates.set(b, j, r);
                gates.set(b, h + j, z);
                gates.set(b, 2 * h + j, n);
                hiddenN.set(b, j, hn);
                hNext.set(b, j, (1 - z) * n + z * hPrev.get(b, j));
            }
        }
    }

    @Override
    public void gruCellBackward(Mat gates, Mat hiddenN, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH) {
        int h = hPrev.cols();
        for (int b = 0; b < gates.rows(); b++) {
            for (int j = 0; j < h; j++) {
                float r = gates.get(b, j), z = gates.get(b, h + j), n = gates.get(b, 2 * h + j), d = dh.get(b, j);
                float dn = d * (1 - z) * (1 - n * n);
                float dz = d * (hPrev.get(b, j) - n) * z * (1 - z);
                float dr = dn * hiddenN.get(b, j) * r * (1 - r);
                dGatesX.set(b, j, dr);
                dGatesX.set(b, h + j, dz);
                dGatesX.set(b, 2 * h + j, dn);
                dGatesH.set(b, j, dr);
                dGatesH.set(b, h + j, dz);
                dGatesH.set(b, 2 * h + j, dn * r);
                dh.set(b, j, d * z);
            }
        }
    }

    @Override
    public void gruResetGates(Mat gates, Mat hidden, Mat hPrev, Mat resetH) {
        int h = hPrev.cols();
        for (int b = 0; b < gates.rows(); b++) {
            for (int j = 0; j < h; j++) {
                float r = sigmoid(gates.get(b, j) + hidden.get(b, j));
                gates.set(b, j, r);
                gates.set(b, h + j, sigmoid(gates.get(b, h + j) + hidden.get(b, h + j)));
                resetH.set(b, j, r * hPrev.get(b, j));
            }
        }
    }

    @Override
    public void gruResetBeforeCell(Mat gates, Mat hiddenN, Mat hPrev, Mat hNext) {
        int h = hPrev.cols();
        for (int b = 0; b < gates.rows(); b++) {
            for (int j = 0; j < h; j++) {
                float z = gates.get(b, h + j);
                float n = (float) Math.tanh(gates.get(b, 2 * h + j) + hiddenN.get(b, j));
                gates.set(b, 2 * h + j, n);
                hNext.set(b, j, (1 - z) * n + z * hPrev.get(b, j));
            }
        }
    }

    @Override
    public void gruResetBeforeCellBackward(Mat gates, Mat hPrev, Mat dh, Mat dGatesX, Mat dGatesH) {
        int h = hPrev.cols();
        for (int b = 0; b < gates.rows(); b++) {
            for (int j = 0; j < h; j++) {
                float z = gates.get(b, h + j), n = gates.get(b, 2 * h + j), d = dh.get(b, j);
                float dn = d * (1 - z) * (1 - n * n);
                float dz = d * (hPrev.get(b, j) - n) * z * (1 - z);
                dGatesX.set(b, h + j, dz);
                dGatesX.set(b, 2 * h + j, dn);
                dGatesH.set(b, h + j, dz);
                dGatesH.set(b, 2 * h + j, dn);
                dh.set(b, j, d * z);
            }
        }
    }

    @Override
    public void gruResetGatesBackward(Mat gates, Mat hPrev, Mat dResetH, Mat dh, Mat dGatesX, Mat dGatesH) {
        int h = hPrev.cols();
        for (int b = 0; b < gates.rows(); b++) {
            for (int j = 0; j < h; j++) {
                float r = gates.get(b, j), drh = dResetH.get(b, j);
                float dr = drh * hPrev.get(b, j) * r * (1 - r);
                dGatesX.set(b, j, dr);
                dGatesH.set(b, j, dr);
                dh.set(b, j, dh.get(b, j) + drh * r);
            }
        }
    }

    @Override
    public void rnnCell(Mat pre, Mat hNext, Activation act) {
        for (int b = 0; b < pre.rows(); b++) {
            for (int j = 0; j < pre.cols(); j++) {
                float a = pre.get(b, j);
                hNext.set(b, j, act == Activation.RELU ? Math.max(a, 0f) : (float) Math.tanh(a));
            }
        }
    }

    @Override
    public void rnnCellBackward(Mat hNext, Mat dh, Mat dGates, Activation act) {
        for (int b = 0; b < hNext.rows(); b++) {
            for (int j = 0; j < hNext.cols(); j++) {
                float y = hNext.get(b, j), d = dh.get(b, j);
                dGates.set(b, j, act == Activation.RELU ? (y > 0 ? d : 0f) : d * (1 - y * y));
            }
        }
    }

    private static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    @Override
    public String name() {
        return "scalar";
    }
}
