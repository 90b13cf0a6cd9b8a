package dev.recur.nn;

import dev.recur.autograd.Tape;
import dev.recur.autograd.TapeNode;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;

/** [A, B, X] → [B, A, X], a copy, e.g. batch-first to time-major; its gradient swaps back. */
final class SwapLeadingAxes {
    private SwapLeadingAxes() {}

    static Variable apply(Variable v) {
        Tensor value = swap(v.value());
        Variable out = Variable.result(value, "swap axes 0, 1 of " + v.value().shapeString(), v);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    Tensor g = swap(out.grad()), dv = v.gradBuffer();
                    for (int i = 0; i < g.size(); i++) dv.data()[dv.offset() + i] += g.at(i);
                }
            });
        }
        return out;
    }

    private static Tensor swap(Tensor t) {
        int a = t.dim(0), b = t.dim(1), x = t.dim(2);
        Tensor s = Tensor.zeros(b, a, x);
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                System.arraycopy(t.data(), t.offset() + (i * b + j) * x, s.data(), (j * a + i) * x, x);
            }
        }
        return s;
    }
}
