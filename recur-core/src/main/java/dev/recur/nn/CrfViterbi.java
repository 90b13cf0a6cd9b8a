package dev.recur.nn;

import dev.recur.tensor.Tensor;

/**
 * The highest-scoring tag path of one sequence under a linear-chain CRF, by the Viterbi algorithm in double.
 * Forbidden transitions, starts and ends come in as −∞ scores, so no path through them can win:
 * <pre>
 * δ_0(j) = s_j + E[0, j]      δ_t(j) = E[t, j] + max_i(δ_{t−1}(i) + A[i, j]),  ψ_t(j) = its argmax
 * y_{n−1} = argmax_j(δ_{n−1}(j) + e_j)      y_{t−1} = ψ_t(y_t)
 * </pre>
 * Ties go to the lowest tag index.
 */
final class CrfViterbi {
    private CrfViterbi() {}

    /**
     * The best path of sequence {@code b} over its first {@code n} steps of emissions [T, B, K], or null when every
     * path scores −∞ (the constraints allow none of length n).
     */
    static int[] bestPath(Tensor emissions, int b, int n, double[] start, double[] end, double[] trans) {
        int batch = emissions.dim(1), k = emissions.dim(2);
        float[] ed = emissions.data();
        double[] delta = new double[k], next = new double[k];
        int[] back = new int[n * k];
        for (int j = 0; j < k; j++) delta[j] = start[j] + ed[emissions.offset() + b * k + j];
        for (int t = 1; t < n; t++) {
            int here = emissions.offset() + (t * batch + b) * k;
            for (int j = 0; j < k; j++) {
                int arg = argmax(delta, trans, j, k);
                next[j] = delta[arg] + trans[arg * k + j] + ed[here + j];
                back[t * k + j] = arg;
            }
            double[] swap = delta;
            delta = next;
            next = swap;
        }
        int last = 0;
        for (int j = 1; j < k; j++) if (delta[j] + end[j] > delta[last] + end[last]) last = j;
        if (delta[last] + end[last] == Double.NEGATIVE_INFINITY) return null;
        int[] path = new int[n];
        path[n - 1] = last;
        for (int t = n - 1; t > 0; t--) path[t - 1] = back[t * k + path[t]];
        return path;
    }

    /** argmax_i(δ(i) + A[i, j]), the lowest i among equals. */
    private static int argmax(double[] delta, double[] trans, int j, int k) {
        int best = 0;
        for (int i = 1; i < k; i++) if (delta[i] + trans[i * k + j] > delta[best] + trans[best * k + j]) best = i;
        return best;
    }
}
