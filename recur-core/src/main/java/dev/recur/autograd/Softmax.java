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
            float m = max(x, in, v);
            double s = sumExp(x, in, v, m);
            float logS = (float) Math.log(s);
            for (int j = 0; j < v; j++) yd[at + j] = log ? (x[in + j] - m) - logS : (float) (Math.exp(x[in + j] - m) / s);
        }
        Variable out = Variable.result(y, name + " " + av.shapeString(), a);
        if (out.requiresGrad()) Tape.record(new Node(log, a, out, rows, v));
        return out;
    }

    /** The maximum of x[from, from + n); −∞ when n = 0. */
    static float max(float[] x, int from, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = from; j < from + n; j++) m = Math.max(m, x[j]);
        return m;
    }

    /**
     * Σ_j e^(x_j − m) over x[from, from + n), in double, with m the maximum: every term is at most 1, so nothing
     * overflows. Keeping m apart from log Σ keeps x_j − m exact where m + log Σ would round at large m.
     */
    static double sumExp(float[] x, int from, int n, float m) {
        double s = 0;
        for (int j = from; j < from + n; j++) s += Math.exp(x[j] - m);
        return s;
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
