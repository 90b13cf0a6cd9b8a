package dev.recur.autograd;

import dev.recur.tensor.Tensor;

/** Reductions to a scalar: the gradient of each input element is the output gradient (times 1/n for a mean). */
final class Reduce {
    private Reduce() {}

    static Variable sum(Variable a) {
        Tensor av = a.value();
        double s = 0;
        for (int i = 0; i < av.size(); i++) s += av.at(i);
        Variable out = Variable.result(Tensor.scalar((float) s), "sum " + av.shapeString(), a);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    float g = out.grad().item();
                    Tensor da = a.gradBuffer();
                    float[] d = da.data();
                    for (int i = 0; i < da.size(); i++) d[da.offset() + i] += g;
                }
            });
        }
        return out;
    }
}
