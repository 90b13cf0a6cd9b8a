package dev.recur.autograd;

import dev.recur.tensor.Tensor;
import java.util.Arrays;

/**
 * Row lookup: y[..., :] = W[id, :] for weight W [V, E] and ids of a given leading shape. The gradient
 * scatter-adds: dW[id_i, :] += dy[i, :], so an id that occurs twice collects both rows.
 */
final class EmbeddingOp {
    private EmbeddingOp() {}

    static Variable forward(Variable weight, int[] ids, int... leadingShape) {
        Tensor w = weight.value();
        if (w.rank() != 2) {
            throw new IllegalArgumentException("embedding: weight has shape " + w.shapeString() + "; expected [V, E]");
        }
        int[] leading = leadingShape.length == 0 ? new int[] {ids.length} : leadingShape.clone();
        if (Tensor.sizeOf(leading) != ids.length) {
            throw new IllegalArgumentException("embedding: " + ids.length + " ids do not fill the leading shape "
                    + Arrays.toString(leading) + " (" + Tensor.sizeOf(leading) + " positions)");
        }
        int v = w.dim(0), e = w.dim(1);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= v) {
                throw new IllegalArgumentException("embedding: id " + ids[i] + " at position " + i + " is outside [0, " + v
                        + ") for a weight of shape " + w.shapeString() + " (V = " + v + ")");
            }
        }
        int[] shape = Arrays.copyOf(leading, leading.length + 1);
        shape[leading.length] = e;
        Tensor y = Tensor.zeros(shape);
        for (int i = 0; i < ids.length; i++) System.arraycopy(w.data(), w.offset() + ids[i] * e, y.data(), i * e, e);
        int[] saved = ids.clone();
        Variable out = Variable.result(y, "embedding " + w.shapeString() + " of " + ids.length + " ids", weight);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    Tensor g = out.grad(), dw = weight.gradBuffer();
                    float[] gd = g.data(), d = dw.data();
                    for (int i = 0; i < saved.length; i++) {
                        int from = g.offset() + i * e, to = dw.offset() + saved[i] * e;
                        for (int j = 0; j < e; j++) d[to + j] += gd[from + j];
                    }
                }
            });
        }
        return out;
    }
}
