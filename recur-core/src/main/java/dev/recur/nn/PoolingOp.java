package dev.recur.nn;

import dev.recur.autograd.Tape;
import dev.recur.autograd.TapeNode;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.Arrays;

/**
 * The fixed poolings of {@link Pooling} over x [T, B, C] with lengths n_b, each one node on the tape. LAST and
 * MAX pick one element per output element: a gather whose backward adds dy[b, c] to the picked x element. MEAN:
 * dx[t, b, c] += dy[b, c] / n_b for t &lt; n_b.
 */
final class PoolingOp {
    private PoolingOp() {}

    /** Each sequence's step n_b − 1; with two directions, step 0 for the second half of the columns. */
    static Variable last(Variable outputs, int[] lengths, int directions) {
        Tensor x = outputs.value();
        int batch = x.dim(1), cols = x.dim(2), forward = cols / directions;
        int[] picked = new int[batch * cols];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < cols; c++) {
                int t = c < forward ? lengths[b] - 1 : 0;
                picked[b * cols + c] = (t * batch + b) * cols + c;
            }
        }
        return gather("pool(LAST" + (directions == 2 ? ", 2 directions) " : ") ") + x.shapeString(), outputs, picked);
    }

    /** The largest valid value of every column; the first of equal maxima, and a NaN wins, so it is seen. */
    static Variable max(Variable outputs, int[] lengths) {
        Tensor x = outputs.value();
        float[] xd = x.data();
        int batch = x.dim(1), cols = x.dim(2);
        int[] picked = new int[batch * cols];
        for (int b = 0; b < batch; b++) {
            int row = b * cols;
            for (int c = 0; c < cols; c++) picked[row + c] = b * cols + c;   // step 0, valid in every sequence
            for (int t = 1; t < lengths[b]; t++) {
                int at = (t * batch + b) * cols;
                for (int c = 0; c < cols; c++) {
                    float candidate = xd[x.offset() + at + c];
                    if (candidate > xd[x.offset() + picked[row + c]] || Float.isNaN(candidate)) picked[row + c] = at + c;
                }
            }
        }
        return gather("pool(MAX) " + x.shapeString(), outputs, picked);
    }

    static Variable mean(Variable outputs, int[] lengths) {
        Tensor x = outputs.value();
        float[] xd = x.data();
        int batch = x.dim(1), cols = x.dim(2);
        Tensor y = Tensor.zeros(batch, cols);
        double[] sum = new double[cols];
        for (int b = 0; b < batch; b++) {
            Arrays.fill(sum, 0);
            for (int t = 0; t < lengths[b]; t++) {
                int at = x.offset() + (t * batch + b) * cols;
                for (int c = 0; c < cols; c++) sum[c] += xd[at + c];
            }
            for (int c = 0; c < cols; c++) y.data()[b * cols + c] = (float) (sum[c] / lengths[b]);
        }
        Variable out = Variable.result(y, "pool(MEAN) " + x.shapeString(), outputs);
        if (out.requiresGrad()) {
            int[] saved = lengths.clone();
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    Tensor g = out.grad(), dx = outputs.gradBuffer();
                    float[] gd = g.data(), d = dx.data();
                    for (int b = 0; b < batch; b++) {
                        float scale = 1f / saved[b];
                        for (int t = 0; t < saved[b]; t++) {
                            int at = dx.offset() + (t * batch + b) * cols, from = g.offset() + b * cols;
                            for (int c = 0; c < cols; c++) d[at + c] += scale * gd[from + c];
                        }
                    }
                }
            });
        }
        return out;
    }

    /** y[b, c] = x.at(picked[b·C + c]): [B, C]; dx at each picked element += dy[b, c]. */
    private static Variable gather(String origin, Variable outputs, int[] picked) {
        Tensor x = outputs.value();
        Tensor y = Tensor.zeros(x.dim(1), x.dim(2));
        for (int i = 0; i < picked.length; i++) y.data()[i] = x.at(picked[i]);
        Variable out = Variable.result(y, origin, outputs);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    Tensor g = out.grad(), dx = outputs.gradBuffer();
                    for (int i = 0; i < picked.length; i++) dx.data()[dx.offset() + picked[i]] += g.at(i);
                }
            });
        }
        return out;
    }
}
