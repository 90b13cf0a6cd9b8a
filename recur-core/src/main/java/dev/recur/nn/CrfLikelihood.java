package dev.recur.nn;

import dev.recur.autograd.Tape;
import dev.recur.autograd.TapeNode;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;

/**
 * A linear-chain CRF's mean negative log-likelihood as one node on the tape, in double and in log space
 * (docs/derivations/crf.md). Emissions E [T, B, K], sequence b of length n with gold tags y:
 * <pre>
 * forward    α_0(j) = s_j + E[0, j]      α_t(j) = E[t, j] + lse_i(α_{t−1}(i) + A[i, j])      log Z = lse_j(α_{n−1}(j) + e_j)
 *            score(y) = s_{y_0} + Σ_t E[t, y_t] + Σ_{t≥1} A[y_{t−1}, y_t] + e_{y_{n−1}}       L = (1/B) Σ_b (log Z − score(y))
 * backward   β_{n−1}(i) = e_i            β_{t−1}(i) = lse_j(A[i, j] + E[t, j] + β_t(j))
 *            P_t(j) = exp(α_t(j) + β_t(j) − log Z)      P_t(i, j) = exp(α_{t−1}(i) + A[i, j] + E[t, j] + β_t(j) − log Z)
 *            dE[t, j] = g/B (P_t(j) − [y_t = j])    ds = g/B (P_0 − [y_0])    de = g/B (P_{n−1} − [y_{n−1}])
 *            dA[i, j] = g/B Σ_{t=1}^{n−1} (P_t(i, j) − [y_{t−1} = i, y_t = j])
 * </pre>
 * s, e and A are start_transitions, end_transitions and transitions; lse is log Σ exp, shifted by the maximum.
 * Each gradient is an expected count under the model minus the gold path's count. Steps past n get nothing.
 */
final class CrfLikelihood implements TapeNode {
    private final Variable emissions, start, end, transitions, output;
    private final int[] tags, lengths;
    private final int steps, batch, k;
    private final double[] alpha;   // [T, B, K] forward log-scores α_t(j), valid steps only
    private final double[] logZ;    // [B]

    /** Computes the loss and records the node when a gradient is needed; {@code tags} are time-major [T·B]. */
    CrfLikelihood(Variable emissions, Variable start, Variable end, Variable transitions, int[] tags, int[] lengths) {
        Tensor e = emissions.value();
        this.emissions = emissions;
        this.start = start;
        this.end = end;
        this.transitions = transitions;
        this.tags = tags.clone();   // the caller may refill its array before backward
        this.lengths = lengths.clone();
        this.steps = e.dim(0);
        this.batch = e.dim(1);
        this.k = e.dim(2);
        this.alpha = new double[steps * batch * k];
        this.logZ = forwardAlgorithm(e, this.lengths, doubles(start), doubles(end), doubles(transitions), alpha);
        double total = 0;
        for (int b = 0; b < batch; b++) total += logZ[b] - goldScore(b);
        this.output = Variable.result(Tensor.scalar((float) (total / batch)), "crf negative log-likelihood " + e.shapeString(),
                emissions, start, end, transitions);
        if (output.requiresGrad()) Tape.record(this);
    }

    @Override
    public Variable output() {
        return output;
    }

    /**
     * log Z of every sequence by the forward algorithm; fills {@code alpha} [T, B, K] with α_t(j) for the valid steps.
     * The parameters come as doubles: start, end [K], transitions [K, K] from i (row) to j.
     */
    static double[] forwardAlgorithm(Tensor emissions, int[] lengths, double[] start, double[] end, double[] trans, double[] alpha) {
        int batch = emissions.dim(1), k = emissions.dim(2);
        float[] ed = emissions.data();
        double[] logZ = new double[batch], terms = new double[k];
        for (int b = 0; b < batch; b++) {
            int first = emissions.offset() + b * k;
            for (int j = 0; j < k; j++) alpha[b * k + j] = start[j] + ed[first + j];
            for (int t = 1; t < lengths[b]; t++) {
                int prev = ((t - 1) * batch + b) * k, here = (t * batch + b) * k;
                for (int j = 0; j < k; j++) {
                    for (int i = 0; i < k; i++) terms[i] = alpha[prev + i] + trans[i * k + j];
                    alpha[here + j] = ed[emissions.offset() + here + j] + logSumExp(terms);
                }
            }
            int last = ((lengths[b] - 1) * batch + b) * k;
            for (int j = 0; j < k; j++) terms[j] = alpha[last + j] + end[j];
            logZ[b] = logSumExp(terms);
        }
        return logZ;
    }

    /** The gold path's score: start, every emission, every transition, end. */
    private double goldScore(int b) {
        Tensor e = emissions.value();
        float[] s = start.value().data(), en = end.value().data(), a = transitions.value().data(), ed = e.data();
        int so = start.value().offset(), eo = end.value().offset(), ao = transitions.value().offset();
        int n = lengths[b];
        double score = s[so + tags[b]] + en[eo + tags[(n - 1) * batch + b]];
        for (int t = 0; t < n; t++) score += ed[e.offset() + (t * batch + b) * k + tags[t * batch + b]];
        for (int t = 1; t < n; t++) score += a[ao + tags[(t - 1) * batch + b] * k + tags[t * batch + b]];
        return score;
    }

    @Override
    public void backward() {
        double scale = output.grad().item() / (double) batch;
        double[] trans = doubles(transitions), dStart = new double[k], dEnd = new double[k], dTrans = new double[k * k];
        Tensor dE = emissions.requiresGrad() ? emissions.gradBuffer() : null;
        for (int b = 0; b < batch; b++) backward(b, scale, trans, dE, dStart, dEnd, dTrans);
        addTo(start, dStart);
        addTo(end, dEnd);
        addTo(transitions, dTrans);
    }

    /** One sequence, from its last step back: unary marginals at t, pair marginals of (t − 1, t), then β_{t−1}. */
    private void backward(int b, double scale, double[] trans, Tensor dE, double[] dStart, double[] dEnd, double[] dTrans) {
        Tensor e = emissions.value();
        float[] ed = e.data();
        double[] beta = doubles(end), previous = new double[k], terms = new double[k];
        int n = lengths[b];
        for (int t = n - 1; t >= 0; t--) {
            int here = (t * batch + b) * k, gold = tags[t * batch + b];
            for (int j = 0; j < k; j++) {
                double d = scale * (Math.exp(alpha[here + j] + beta[j] - logZ[b]) - (j == gold ? 1 : 0));
                if (dE != null) dE.data()[dE.offset() + here + j] += (float) d;
                if (t == 0) dStart[j] += d;
                if (t == n - 1) dEnd[j] += d;
            }
            if (t == 0) break;
            int prev = here - batch * k;
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    double p = Math.exp(alpha[prev + i] + trans[i * k + j] + ed[e.offset() + here + j] + beta[j] - logZ[b]);
                    dTrans[i * k + j] += scale * p;
                    terms[j] = trans[i * k + j] + ed[e.offset() + here + j] + beta[j];
                }
                previous[i] = logSumExp(terms);
            }
            dTrans[tags[(t - 1) * batch + b] * k + gold] -= scale;
            double[] swap = beta;
            beta = previous;
            previous = swap;
        }
    }

    /** log Σ_i e^(x_i), shifted by the maximum; −∞ when every x_i is −∞. */
    static double logSumExp(double[] x) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x) m = Math.max(m, v);
        if (m == Double.NEGATIVE_INFINITY) return m;
        double s = 0;
        for (double v : x) s += Math.exp(v - m);
        return m + Math.log(s);
    }

    /** A parameter's values in double. */
    static double[] doubles(Variable v) {
        Tensor t = v.value();
        double[] d = new double[t.size()];
        for (int i = 0; i < d.length; i++) d[i] = t.at(i);
        return d;
    }

    private static void addTo(Variable p, double[] g) {
        if (!p.requiresGrad()) return;
        Tensor grad = p.gradBuffer();
        for (int i = 0; i < g.length; i++) grad.data()[grad.offset() + i] += (float) g[i];
    }
}
