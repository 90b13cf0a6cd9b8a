package dev.recur.nn;

import dev.recur.autograd.Tape;
import dev.recur.autograd.TapeNode;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;

/**
 * One decoder step of {@link Attention} as one node on the tape: scores of a query against every key, a softmax
 * over each sequence's valid steps, and the weighted sum of the values.
 * <pre>
 * dot        s[t, b] = K[t, b] · q[b]
 * additive   U[t, b] = tanh(K[t, b] + q[b])      s[t, b] = U[t, b] · v
 * both       α[·, b] = softmax of s[t, b] over t &lt; n_b (0 past n_b)      c[b] = Σ_t α[t, b] V[t, b]
 * backward   dα[t, b] = dc[b] · V[t, b]     ds = α ⊙ (dα − Σ_t α dα)     dV[t, b] += α[t, b] dc[b]
 *   dot        dK[t, b] += ds q[b]          dq[b] += Σ_t ds K[t, b]
 *   additive   dZ = ds v ⊙ (1 − U²)         dK += dZ     dq[b] += Σ_t dZ[t, b]     dv += Σ_{t, b} ds U[t, b]
 * </pre>
 * Keys K [S, B, A], values V [S, B, M] and the query q [B, A]; v [A] only for the additive form.
 */
final class AttentionOp implements TapeNode {
    private final Variable keys, query, v, values, output;
    private final int[] lengths;
    private final int steps, batch, size, memory;
    private final float[] u;       // [S·B, A] tanh(K + q), additive form only
    private final float[] alpha;   // [S·B]

    AttentionOp(Variable keys, Variable query, Variable v, Variable values, int[] lengths) {
        this.keys = keys;
        this.query = query;
        this.v = v;
        this.values = values;
        this.lengths = lengths;
        Tensor k = keys.value();
        this.steps = k.dim(0);
        this.batch = k.dim(1);
        this.size = k.dim(2);
        this.memory = values.value().dim(2);
        this.u = v == null ? null : new float[steps * batch * size];
        this.alpha = new float[steps * batch];
        Variable[] inputs = v == null ? new Variable[] {keys, query, values} : new Variable[] {keys, query, v, values};
        this.output = Variable.result(forward(), "attention " + k.shapeString() + " -> " + values.value().shapeString(), inputs);
        if (output.requiresGrad()) Tape.record(this);
    }

    @Override
    public Variable output() {
        return output;
    }

    /** α as [B, S], a copy; 0 past each length. */
    Tensor weights() {
        Tensor w = Tensor.zeros(batch, steps);
        for (int t = 0; t < steps; t++) for (int b = 0; b < batch; b++) w.data()[b * steps + t] = alpha[t * batch + b];
        return w;
    }

    private Tensor forward() {
        float[] kd = keys.value().data(), qd = query.value().data();
        int ko = keys.value().offset(), qo = query.value().offset();
        float[] scores = new float[steps * batch];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                int row = t * batch + b, kr = ko + row * size, qr = qo + b * size;
                double s = 0;
                if (v == null) {
                    for (int a = 0; a < size; a++) s += kd[kr + a] * qd[qr + a];
                } else {
                    float[] vd = v.value().data();
                    int vo = v.value().offset(), ur = row * size;
                    for (int a = 0; a < size; a++) {
                        float x = (float) Math.tanh(kd[kr + a] + qd[qr + a]);
                        u[ur + a] = x;
                        s += x * vd[vo + a];
                    }
                }
                scores[row] = (float) s;
            }
            float m = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < lengths[b]; t++) m = Math.max(m, scores[t * batch + b]);
            double sum = 0;
            for (int t = 0; t < lengths[b]; t++) sum += Math.exp(scores[t * batch + b] - m);
            for (int t = 0; t < lengths[b]; t++) alpha[t * batch + b] = (float) (Math.exp(scores[t * batch + b] - m) / sum);
        }
        Tensor c = Tensor.zeros(batch, memory);
        float[] vd = values.value().data(), cd = c.data();
        int vo = values.value().offset();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                float a = alpha[t * batch + b];
                int from = vo + (t * batch + b) * memory;
                for (int h = 0; h < memory; h++) cd[b * memory + h] += a * vd[from + h];
            }
        }
        return c;
    }

    @Override
    public void backward() {
        Tensor dc = output.grad();
        float[] g = dc.data(), vd = values.value().data(), kd = keys.value().data(), qd = query.value().data();
        int go = dc.offset(), vo = values.value().offset(), ko = keys.value().offset(), qo = query.value().offset();
        float[] dV = values.requiresGrad() ? values.gradBuffer().data() : null;
        int dVo = dV == null ? 0 : values.grad().offset();
        float[] dK = keys.requiresGrad() ? keys.gradBuffer().data() : null;
        int dKo = dK == null ? 0 : keys.grad().offset();
        float[] dq = query.requiresGrad() ? query.gradBuffer().data() : null;
        int dqo = dq == null ? 0 : query.grad().offset();
        float[] dv = v != null && v.requiresGrad() ? v.gradBuffer().data() : null;
        int dvo = dv == null ? 0 : v.grad().offset();
        float[] vv = v == null ? null : v.value().data();
        int vvo = v == null ? 0 : v.value().offset();
        float[] ds = new float[steps];
        for (int b = 0; b < batch; b++) {
            double expected = 0;
            for (int t = 0; t < lengths[b]; t++) {
                int row = t * batch + b, from = vo + row * memory;
                double dot = 0;
                for (int h = 0; h < memory; h++) dot += g[go + b * memory + h] * vd[from + h];
                ds[t] = (float) dot;
                expected += alpha[row] * dot;
                if (dV != null) {
                    float a = alpha[row];
                    int to = dVo + row * memory;
                    for (int h = 0; h < memory; h++) dV[to + h] += a * g[go + b * memory + h];
                }
            }
            for (int t = 0; t < lengths[b]; t++) {
                int row = t * batch + b;
                float s = (float) (alpha[row] * (ds[t] - expected));
                int kr = row * size;
                if (v == null) {
                    for (int a = 0; a < size; a++) {
                        if (dK != null) dK[dKo + kr + a] += s * qd[qo + b * size + a];
                        if (dq != null) dq[dqo + b * size + a] += s * kd[ko + kr + a];
                    }
                } else {
                    for (int a = 0; a < size; a++) {
                        float x = u[kr + a], dz = s * vv[vvo + a] * (1 - x * x);
                        if (dK != null) dK[dKo + kr + a] += dz;
                        if (dq != null) dq[dqo + b * size + a] += dz;
                        if (dv != null) dv[dvo + a] += s * x;
                    }
                }
            }
        }
    }
}
