package dev.recur.autograd;

import dev.recur.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * Elementwise functions y = f(x) of any shape. The derivative comes from the saved output where it can, so
 * backward needs no second evaluation of f:
 * <pre>
 * sigmoid  y = 1 / (1 + e^−x)     dx = dy ⊙ y(1 − y)
 * tanh     y = tanh x             dx = dy ⊙ (1 − y²)
 * relu     y = max(x, 0)          dx = dy ⊙ [y > 0]
 * exp      y = e^x                dx = dy ⊙ y
 * log      y = ln x               dx = dy / x
 * dropout  y = x ⊙ m              dx = dy ⊙ m,   m = 1/(1 − p) with probability 1 − p, else 0
 * </pre>
 */
final class Pointwise {
    private Pointwise() {}

    /** The function, its name for origins, and its derivative from input x and output y. */
    enum Fn {
        SIGMOID("sigmoid"), TANH("tanh"), RELU("relu"), EXP("exp"), LOG("log");

        final String name;

        Fn(String name) {
            this.name = name;
        }
    }

    static Variable apply(Fn fn, Variable a) {
        Tensor av = a.value();
        Tensor y = Tensor.zeros(av.shape());
        float[] x = av.data(), yd = y.data();
        int xo = av.offset(), n = yd.length;
        switch (fn) {
            case SIGMOID -> { for (int i = 0; i < n; i++) yd[i] = sigmoid(x[xo + i]); }
            case TANH -> { for (int i = 0; i < n; i++) yd[i] = (float) Math.tanh(x[xo + i]); }
            case RELU -> { for (int i = 0; i < n; i++) yd[i] = Math.max(x[xo + i], 0f); }
            case EXP -> { for (int i = 0; i < n; i++) yd[i] = (float) Math.exp(x[xo + i]); }
            case LOG -> { for (int i = 0; i < n; i++) yd[i] = (float) Math.log(x[xo + i]); }
        }
        Variable out = Variable.result(y, fn.name + " " + av.shapeString(), a);
        if (out.requiresGrad()) Tape.record(new Node(fn, a, out));
        return out;
    }

    /** σ(x) without overflow: e^x is only taken of a non-positive number. */
    static float sigmoid(float x) {
        if (x >= 0) return (float) (1 / (1 + Math.exp(-x)));
        double e = Math.exp(x);
        return (float) (e / (1 + e));
    }

    private record Node(Fn fn, Variable a, Variable output) implements TapeNode {
        @Override
        public void backward() {
            Tensor g = output.grad(), da = a.gradBuffer(), av = a.value();
            float[] gd = g.data(), d = da.data(), y = output.value().data(), x = av.data();
            int go = g.offset(), o = da.offset(), xo = av.offset(), n = y.length;
            switch (fn) {
                case SIGMOID -> { for (int i = 0; i < n; i++) d[o + i] += gd[go + i] * y[i] * (1 - y[i]); }
                case TANH -> { for (int i = 0; i < n; i++) d[o + i] += gd[go + i] * (1 - y[i] * y[i]); }
                case RELU -> { for (int i = 0; i < n; i++) if (y[i] > 0) d[o + i] += gd[go + i]; }
                case EXP -> { for (int i = 0; i < n; i++) d[o + i] += gd[go + i] * y[i]; }
                case LOG -> { for (int i = 0; i < n; i++) d[o + i] += gd[go + i] / x[xo + i]; }
            }
        }
    }

    /**
     * Inverted dropout: each element is kept with probability 1 − p and scaled by 1/(1 − p), so the expected
     * value is unchanged and evaluation needs no rescaling. The identity (this very variable) when not
     * training or p = 0.
     */
    static Variable dropout(Variable a, float p, RandomGenerator rng, boolean training) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p + "; p is the probability of zeroing an element");
        }
        if (!training || p == 0) return a;
        Tensor av = a.value();
        float[] mask = new float[av.size()];
        float keep = 1 / (1 - p);
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextFloat() >= p ? keep : 0f;
        Tensor y = Tensor.zeros(av.shape());
        float[] x = av.data(), yd = y.data();
        for (int i = 0; i < mask.length; i++) yd[i] = x[av.offset() + i] * mask[i];
        Variable out = Variable.result(y, "dropout(p=" + p + ") " + av.shapeString(), a);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    Tensor g = out.grad(), da = a.gradBuffer();
                    float[] gd = g.data(), d = da.data();
                    for (int i = 0; i < mask.length; i++) d[da.offset() + i] += gd[g.offset() + i] * mask[i];
                }
            });
        }
        return out;
    }
}
