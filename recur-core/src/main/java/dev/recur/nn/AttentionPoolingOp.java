package dev.recur.nn;

import dev.recur.autograd.Tape;
import dev.recur.autograd.TapeNode;
import dev.recur.autograd.Variable;
import dev.recur.kernel.Kernels;
import dev.recur.kernel.Mat;
import dev.recur.tensor.Tensor;

/**
 * {@link AttentionPooling} as one node on the tape, over N = T·B rows at once (docs/derivations/attention-pooling.md):
 * <pre>
 * forward    U = tanh(X Wᵀ + b) [N, A]    s = U v [N]    α = softmax of s over t &lt; n_b    y[b] = Σ_t α[t, b] X[t, b]
 * backward   dα[t, b] = dy[b] · X[t, b]           ds = α ⊙ (dα − Σ_t α dα)   (per sequence; 0 on padded steps)
 *            dX += α dy    dv += Uᵀ ds    dZ = (ds vᵀ) ⊙ (1 − U²)    dW += dZᵀ X    db += Σ_rows dZ    dX += dZ W
 * </pre>
 * Padded rows are computed with the others (one product) but get α = 0 and ds = 0, so nothing flows to or from them.
 */
final class AttentionPoolingOp implements TapeNode {
    private final Variable x, weight, bias, context, output;
    private final int[] lengths;
    private final int steps, batch, hidden, attention;
    private final float[] u;       // [T·B, A]  tanh(X Wᵀ + b), from which tanh' = 1 − u²
    private final float[] alpha;   // [T·B]     attention weights, 0 past each length

    /** Computes the pooled output and records the node when a gradient is needed. */
    AttentionPoolingOp(Variable x, Variable weight, Variable bias, Variable context, int[] lengths) {
        Tensor xv = x.value();
        this.x = x;
        this.weight = weight;
        this.bias = bias;
        this.context = context;
        this.lengths = lengths.clone();
        this.steps = xv.dim(0);
        this.batch = xv.dim(1);
        this.hidden = xv.dim(2);
        this.attention = weight.value().dim(0);
        this.u = new float[steps * batch * attention];
        this.alpha = new float[steps * batch];
        this.output = Variable.result(forward(), "attention pooling " + xv.shapeString() + " -> " + attention, x, weight, bias, context);
        if (output.requiresGrad()) Tape.record(this);
    }

    @Override
    public Variable output() {
        return output;
    }

    /** α [T, B], a copy. */
    Tensor weights() {
        return Tensor.of(alpha.clone(), steps, batch);
    }

    private Tensor forward() {
        Kernels k = Kernels.get();
        int n = steps * batch;
        // Every step's projection at once: U = tanh(X Wᵀ + b), [N, H]·[H, A].
        Mat us = Mat.of(u, n, attention);
        k.matmul(Mat.of(x.value(), n, hidden), Mat.of(weight.value()).t(), us);
        k.addRowVector(us, bias.value().data(), bias.value().offset());
        k.tanh(u, 0, u, 0, u.length);
        // Scores s = U v [N], then a softmax over each sequence's valid steps.
        float[] scores = new float[n];
        Tensor v = context.value();
        k.matmul(us, Mat.of(v.data(), v.offset(), attention, 1), Mat.of(scores, n, 1));
        for (int b = 0; b < batch; b++) softmax(scores, b);
        // y[b] = Σ_t α[t, b] x[t, b]: [B, H].
        Tensor y = Tensor.zeros(batch, hidden);
        float[] xd = x.value().data(), yd = y.data();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                float a = alpha[t * batch + b];
                int from = x.value().offset() + (t * batch + b) * hidden;
                for (int h = 0; h < hidden; h++) yd[b * hidden + h] += a * xd[from + h];
            }
        }
        return y;
    }

    /** α[t, b] = e^(s_t − m) / Σ_{t' &lt; n_b} e^(s_t' − m) for t &lt; n_b, m the largest valid score; padded α stays 0. */
    private void softmax(float[] scores, int b) {
        float m = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < lengths[b]; t++) m = Math.max(m, scores[t * batch + b]);
        double sum = 0;
        for (int t = 0; t < lengths[b]; t++) sum += Math.exp(scores[t * batch + b] - m);
        for (int t = 0; t < lengths[b]; t++) alpha[t * batch + b] = (float) (Math.exp(scores[t * batch + b] - m) / sum);
    }

    @Override
    public void backward() {
        Kernels k = Kernels.get();
        int n = steps * batch;
        Tensor dy = output.grad();
        float[] ds = scoreGradients(dy);
        if (x.requiresGrad()) addWeightedGradient(dy, x.gradBuffer());
        float[] dz = preActivationGradients(ds);
        Mat us = Mat.of(u, n, attention), dzs = Mat.of(dz, n, attention);
        if (context.requiresGrad()) {
            Tensor dv = context.gradBuffer();
            k.matmulAdd(us.t(), Mat.of(ds, n, 1), Mat.of(dv.data(), dv.offset(), attention, 1));   // dv += Uᵀ ds
        }
        if (weight.requiresGrad()) k.matmulAdd(dzs.t(), Mat.of(x.value(), n, hidden), Mat.of(weight.gradBuffer()));   // [A, N]·[N, H]
        if (bias.requiresGrad()) k.sumRowsAdd(dzs, bias.gradBuffer().data(), bias.grad().offset());
        if (x.requiresGrad()) k.matmulAdd(dzs, Mat.of(weight.value()), Mat.of(x.gradBuffer(), n, hidden));   // [N, A]·[A, H]
    }

    /** ds[t, b] = α (dα − Σ_t' α dα) with dα[t, b] = dy[b] · x[t, b]; 0 on padded steps. */
    private float[] scoreGradients(Tensor dy) {
        float[] ds = new float[steps * batch], xd = x.value().data(), g = dy.data();
        for (int b = 0; b < batch; b++) {
            double expected = 0;
            for (int t = 0; t < lengths[b]; t++) {
                int row = t * batch + b, from = x.value().offset() + row * hidden, go = dy.offset() + b * hidden;
                double dot = 0;
                for (int h = 0; h < hidden; h++) dot += g[go + h] * xd[from + h];
                ds[row] = (float) dot;
                expected += alpha[row] * dot;
            }
            for (int t = 0; t < lengths[b]; t++) {
                int row = t * batch + b;
                ds[row] = (float) (alpha[row] * (ds[row] - expected));
            }
        }
        return ds;
    }

    /** dx[t, b] += α[t, b] dy[b], the direct path through the weighted sum. */
    private void addWeightedGradient(Tensor dy, Tensor dx) {
        float[] g = dy.data(), d = dx.data();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                float a = alpha[t * batch + b];
                int to = dx.offset() + (t * batch + b) * hidden, from = dy.offset() + b * hidden;
                for (int h = 0; h < hidden; h++) d[to + h] += a * g[from + h];
            }
        }
    }

    /** dZ = (ds vᵀ) ⊙ (1 − U²) [N, A]: the gradient of W x + b; rows with ds = 0 (padded steps) stay 0. */
    private float[] preActivationGradients(float[] ds) {
        float[] dz = new float[u.length], v = context.value().data();
        int vo = context.value().offset();
        for (int row = 0; row < ds.length; row++) {
            if (ds[row] == 0) continue;
            int at = row * attention;
            for (int a = 0; a < attention; a++) dz[at + a] = ds[row] * v[vo + a] * (1 - u[at + a] * u[at + a]);
        }
        return dz;
    }
}
