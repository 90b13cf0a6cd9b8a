package dev.recur.nn;

import dev.recur.autograd.Tape;
import dev.recur.autograd.TapeNode;
import dev.recur.autograd.Variable;
import dev.recur.kernel.Kernels;
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
        Kernels k = Kernels.get();
        float[] kd = keys.value().data(), qd = query.value().data();
        int ko = keys.value().offset(), qo = query.value().offset();
        float[] scores = new float[steps * batch];
        if (v != null) {
            // U = tanh(K + q) for every valid step at once, then s = U v.
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < lengths[b]; t++) {
                    int row = t * batch + b;
                    System.arraycopy(kd, ko + row * size, u, row * size, size);
                    k.axpy(1f, qd, qo + b * size, u, row * size, size);
                }
            }
            k.tanh(u, 0, u, 0, u.length);
        }
        float[] vd = v == null ? null : v.value().data();
        int vo = v == null ? 0 : v.value().offset();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                int row = t * batch + b;
                scores[row] = v == null ? k.dot(kd, ko + row * size, qd, qo + b * size, size) : k.dot(u, row * size, vd, vo, size);
            }
            float m = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < lengths[b]; t++) m = Math.max(m, scores[t * batch + b]);
            double sum = 0;
            for (int t = 0; t < lengths[b]; t++) sum += Math.exp(scores[t * batch + b] - m);
            for (int t = 0; t < lengths[b]; t++) alpha[t * batch + b] = (float) (Math.exp(scores[t * batch + b] - m) / sum);
        }
        Tensor c = Tensor.zeros(batch, memory);
        float[] md = values.value().data(), cd = c.data();
        int mo = values.value().offset();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < lengths[b]; t++) k.axpy(alpha[t * batch + b], md, mo + (t * batch + b) * memory, cd, b * memory, memory);
        }
        return c;
    }

    @Override
    public void backward() {
        Kernels k = Kernels.get();
        Tensor dc = output.grad();
        float[] g = dc.data(), md = values.value().data(), kd = keys.value().data(), qd = query.value().data();
        int go = dc.offset(), mo = values.value().offset(), ko = keys.value().offset(), qo = query.value().offset();
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
        float[] ds = new float[steps], dz = v == null ? null : new float[size];
        for (int b = 0; b < batch; b++) {
            int gb = go + b * memory;
            double expected = 0;
            for (int t = 0; t < lengths[b]; t++) {
                int row = t * batch + b;
                ds[t] = k.dot(g, gb, md, mo + row * memory, memory);
                expected += alpha[row] * ds[t];
                if (dV != null) k.axpy(alpha[row], g, gb, dV, dVo + row * memory, memory);
            }
            for (int t = 0; t < lengths[b]; t++) {
                int row = t * batch + b, kr = row * size;
                float s = (float) (alpha[row] * (ds[t] - expected));
                if (v == null) {
                    if (dK != null) k.axpy(s, qd, qo + b * size, dK, dKo + kr, size);
                    if (dq != null) k.axpy(s, kd, ko + kr, dq, dqo + b * size, size);
                } else {
                    for (int a = 0; a < size; a++) dz[a] = s * vv[vvo + a] * (1 - u[kr + a] * u[kr + a]);
                    if (dK != null) k.axpy(1f, dz, 0, dK, dKo + kr, size);
                    if (dq != null) k.axpy(1f, dz, 0, dq, dqo + b * size, size);
                    if (dv != null) k.axpy(s, u, kr, dv, dvo, size);
                }
            }
        }
    }
}
