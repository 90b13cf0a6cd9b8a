package dev.recur.autograd;

import dev.recur.tensor.Tensor;

/**
 * Layer normalisation over the last axis of x [..., F], as PyTorch's {@code F.layer_norm} (biased variance):
 * <pre>
 * μ = (1/F) Σ_j x_j     σ² = (1/F) Σ_j (x_j − μ)²     r = 1/√(σ² + ε)
 * x̂ = (x − μ) · r        y = γ ⊙ x̂ + β                 γ, β [F]
 * backward, per row, with g = dy ⊙ γ:
 * dβ += dy      dγ += dy ⊙ x̂      dx = r · (g − mean(g) − x̂ · mean(g ⊙ x̂))
 * </pre>
 * Saved for backward: μ and r per row; x̂ is recomputed from x.
 */
final class LayerNormOp {
    private LayerNormOp() {}

    static Variable forward(Variable input, Variable gamma, Variable beta, float eps) {
        Tensor x = input.value(), gv = gamma.value(), bv = beta.value();
        if (x.rank() == 0) throw new IllegalArgumentException("layer_norm: input is a scalar; expected [..., F]");
        int f = x.dim(-1), rows = f == 0 ? 0 : x.size() / f;
        if (gv.rank() != 1 || gv.size() != f || !bv.sameShape(gv)) {
            throw new IllegalArgumentException("layer_norm: input " + x.shapeString() + " with weight " + gv.shapeString()
                    + " and bias " + bv.shapeString() + "; expected both [" + f + "], the input's last dimension");
        }
        if (!(eps > 0)) throw new IllegalArgumentException("layer_norm: eps must be positive, got " + eps);
        float[] xd = x.data(), g = gv.data(), b = bv.data(), mean = new float[rows], rstd = new float[rows];
        Tensor y = Tensor.zeros(x.shape());
        float[] yd = y.data();
        for (int r = 0; r < rows; r++) {
            int row = x.offset() + r * f;
            // Two passes in double: the mean, then the variance about it (no cancellation from E[x²] − μ²).
            double s = 0, ss = 0;
            for (int j = 0; j < f; j++) s += xd[row + j];
            double mu = s / f;
            for (int j = 0; j < f; j++) ss += (xd[row + j] - mu) * (xd[row + j] - mu);
            mean[r] = (float) mu;
            rstd[r] = (float) (1 / Math.sqrt(ss / f + eps));
            for (int j = 0; j < f; j++) {
                float xhat = (xd[row + j] - mean[r]) * rstd[r];
                yd[r * f + j] = g[gv.offset() + j] * xhat + b[bv.offset() + j];
            }
        }
        Variable out = Variable.result(y, "layer_norm " + x.shapeString(), input, gamma, beta);
        if (out.requiresGrad()) Tape.record(new Node(input, gamma, beta, out, mean, rstd, rows, f));
        return out;
    }

    private record Node(Variable input, Variable gamma, Variable beta, Variable output, float[] mean, float[] rstd, int rows, int f)
            implements TapeNode {
        @Override
        public void backward() {
            Tensor x = input.value(), dy = output.grad(), gv = gamma.value();
            float[] xd = x.data(), gd = dy.data(), g = gv.data();
            float[] dx = input.requiresGrad() ? input.gradBuffer().data() : null;
            float[] dg = gamma.requiresGrad() ? gamma.gradBuffer().data() : null;
            float[] db = beta.requiresGrad() ? beta.gradBuffer().data() : null;
            int dxo = dx == null ? 0 : input.grad().offset(), dgo = dg == null ? 0 : gamma.grad().offset();
            int dbo = db == null ? 0 : beta.grad().offset();
            for (int r = 0; r < rows; r++) {
                int row = x.offset() + r * f, grow = dy.offset() + r * f;
                // Pass 1: mean(g) and mean(g ⊙ x̂) of this row, and the parameter gradients.
                double sumG = 0, sumGX = 0;
                for (int j = 0; j < f; j++) {
                    float xhat = (xd[row + j] - mean[r]) * rstd[r], d = gd[grow + j];
                    float gj = d * g[gv.offset() + j];
                    sumG += gj;
                    sumGX += gj * xhat;
                    if (dg != null) dg[dgo + j] += d * xhat;
                    if (db != null) db[dbo + j] += d;
                }
                if (dx == null) continue;
                // Pass 2: dx = r · (g − mean(g) − x̂ · mean(g ⊙ x̂)).
                float meanG = (float) (sumG / f), meanGX = (float) (sumGX / f);
                for (int j = 0; j < f; j++) {
                    float xhat = (xd[row + j] - mean[r]) * rstd[r];
                    float gj = gd[grow + j] * g[gv.offset() + j];
                    dx[dxo + r * f + j] += rstd[r] * (gj - meanG - xhat * meanGX);
                }
            }
        }
    }
}
