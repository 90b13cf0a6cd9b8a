package dev.recur.nn;

import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * The parameters of one layer in one direction, registered on their module under PyTorch's names and in its
 * state_dict order: weight_ih [G, in], weight_hh [G, P or H], bias_ih [G], bias_hh [G], weight_hr [P, H].
 * Absent ones (no bias, no projection) are null.
 */
record LayerWeights(Variable ih, Variable hh, Variable biasIh, Variable biasHh, Variable hr) {

    /** Registers the parameters of layer {@code suffix} ("_l0_reverse"; "" for a cell) on {@code owner}. */
    static LayerWeights register(Module owner, RecurrentConfig c, int inputSize, String suffix, RandomGenerator rng) {
        int h = c.hiddenSize(), g = c.cell().gates() * h, p = c.outputSize();
        float k = (float) (1 / Math.sqrt(h));
        Variable ih = owner.register("weight_ih" + suffix, Tensor.uniform(rng, -k, k, g, inputSize));
        Variable hh = owner.register("weight_hh" + suffix, c.recurrentInit() == RecurrentInit.ORTHOGONAL
                ? orthogonalBlocks(rng, c.cell().gates(), h, p) : Tensor.uniform(rng, -k, k, g, p));
        Variable bih = null, bhh = null, hr = null;
        if (c.bias()) {
            bih = owner.register("bias_ih" + suffix, Tensor.uniform(rng, -k, k, g));
            bhh = owner.register("bias_hh" + suffix, Tensor.uniform(rng, -k, k, g));
            if (c.chronoSteps() > 0) {
                // Rows 0..H are the input gate, H..2H the forget gate: b_f ~ log U(1, T−1), b_i = −b_f.
                for (int j = 0; j < h; j++) {
                    float bf = (float) Math.log(1 + rng.nextDouble() * (c.chronoSteps() - 2));
                    bih.value().set(bf, h + j);
                    bih.value().set(-bf, j);
                    bhh.value().set(0f, h + j);
                    bhh.value().set(0f, j);
                }
            }
            if (c.unitForgetBias()) {
                // The forget gate is rows H..2H; b_ih + b_hh = 1 there, so the cell remembers from the start.
                for (int j = h; j < 2 * h; j++) {
                    bih.value().set(1f, j);
                    bhh.value().set(0f, j);
                }
            }
        }
        if (c.projSize() > 0) hr = owner.register("weight_hr" + suffix, Tensor.uniform(rng, -k, k, p, h));
        return new LayerWeights(ih, hh, bih, bhh, hr);
    }

    /** {@code blocks} stacked [rows, cols] matrices with orthonormal rows (or columns, when rows > cols). */
    static Tensor orthogonalBlocks(RandomGenerator rng, int blocks, int rows, int cols) {
        Tensor w = Tensor.zeros(blocks * rows, cols);
        boolean byRows = rows <= cols;
        int n = byRows ? rows : cols, len = byRows ? cols : rows;
        for (int blk = 0; blk < blocks; blk++) {
            double[][] v = new double[n][len];
            // Gram–Schmidt on Gaussian vectors: orthonormal with probability one.
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < len; j++) v[i][j] = rng.nextGaussian();
                for (int pass = 0; pass < 2; pass++) {
                    for (int q = 0; q < i; q++) {
                        double dot = 0;
                        for (int j = 0; j < len; j++) dot += v[i][j] * v[q][j];
                        for (int j = 0; j < len; j++) v[i][j] -= dot * v[q][j];
                    }
                }
                double norm = 0;
                for (int j = 0; j < len; j++) norm += v[i][j] * v[i][j];
                norm = Math.sqrt(norm);
                for (int j = 0; j < len; j++) v[i][j] /= norm;
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < len; j++) {
                    if (byRows) w.set((float) v[i][j], blk * rows + i, j);
                    else w.set((float) v[i][j], blk * rows + j, i);
                }
            }
        }
        return w;
    }
}
