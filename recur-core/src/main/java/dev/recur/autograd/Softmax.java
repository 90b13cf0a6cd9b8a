package dev.recur.autograd;

import dev.recur.tensor.Tensor;

/**
 * Softmax and log-softmax over the last axis of x [..., V], each row shifted by its maximum m so that no
 * exponential overflows; the backward passes use the saved output y.
 * <pre>
 * softmax      y_j = e^(x_j − m) / Σ_k e^(x_k − m)      dx_j = y_j (dy_j − Σ_k dy_k y_k)
 * logSoftmax   y_j = x_j − m − log Σ_k e^(x_k − m)      dx_j = dy_j − e^(y_j) Σ_k dy_k
 * </pre>
 */
final class Softmax {
    private Softmax() {}

    static Variable softmax(Variable a) {
        return forward(a, false);
    }

    static Variable logSoftmax(Variable a) {
        return forward(a, true);
    }

    private static Variable forward(Variable a, boolean log) {
        String name = log ? "log_softmax" : "softmax";
        Tensor av = a.value();
        if (av.rank() == 0) {
            throw new IllegalArgumentException(name + ": input is a scalar; expected [..., V] (the last axis is normalised)");
        }
        int v = av.dim(-1), rows = v == 0 ? 0 : av.size() / v;
        Tensor y = Tensor.zeros(av.shape());
        float[] x = av.data(), yd = y.data();
        for (int r = 0; r < rows; r++) {
            int in = av.offset() + r * v, at = r * v;
            float lse = logSumExp(x, in, v);
            for (int j = 0; j < v; j++) {
                float shifted = x[in + j] - lse;
                yd[at + j] = log ? shifted : (float) Math.exp(shifted);
            }
        }
        Variable out = Variable.result(y, name + " " + av.shapeString(), a);
        if (out.requiresGrad()) Tape.record(new Node(log, a, out, rows, v));
        return out;
    }

    /** log Σ_j e^(x_j) over x[from, from + n), computed as m + log Σ e^(x_j − m) with m the maximum. */
    static float logSumExp(float[] x, int from, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = from; j < from + n; j++) m = Math.max(m, x[j]);
        if (m == Float.NEGATIVE_INFINITY || m == Float.POSITIVE_INFINITY) return m;
        double s = 0;
        for (int j = from; j < from + n; j++) s += Math.exp(x[j] - m);
        return (float) (m + Math.log(s));
    }

    private record Node(boolean log, Variable a, Variable output, int rows, int v) implements TapeNode {
        @Override
        public void backward() {
            Tensor g = output.grad(), da = a.gradBuffer();
            float[] gd = g.data(), d = da.data(), y = output.value().data();
            for (int r = 0; r < rows; r++) {
                int gi = g.offset() + r * v, di = da.offset() + r * v, yi = r * v;
                double s = 0;
                for (int j = 0; j < v; j++) s += log ? gd[gi + j] : gd[gi + j] * y[yi + j];
                for (int j = 0; j < v; j++) {
                    d[di + j] += log ? (float) (gd[gi + j] - Math.exp(y[yi + j]) * s)
                                     : (float) (y[yi + j] * (gd[gi + j] - s));
                }
            }
        }
    }
}
