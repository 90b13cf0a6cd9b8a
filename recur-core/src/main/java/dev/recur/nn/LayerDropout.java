package dev.recur.nn;

import dev.recur.autograd.Tape;
import dev.recur.autograd.TapeNode;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.random.RandomGenerator;

/** Inverted dropout between stacked recurrent layers: y = x ⊙ mask / (1 − p), mask ~ Bernoulli(1 − p). */
final class LayerDropout {
    private LayerDropout() {}

    static Variable apply(Variable x, float p, RandomGenerator rng) {
        Tensor v = x.value();
        float[] mask = new float[v.size()];
        float scale = 1f / (1f - p);
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextFloat() < p ? 0f : scale;
        Tensor y = v.copy();
        for (int i = 0; i < mask.length; i++) y.data()[i] *= mask[i];
        Variable out = Variable.result(y, "dropout(" + p + ") " + v.shapeString(), x);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    Tensor g = out.grad(), dx = x.gradBuffer();
                    for (int i = 0; i < mask.length; i++) dx.data()[dx.offset() + i] += g.at(i) * mask[i];
                }
            });
        }
        return out;
    }
}
