package dev.recur.autograd;

import dev.recur.tensor.Tensor;
import java.util.Arrays;

/**
 * Elementwise arithmetic with broadcasting over leading dimensions: the smaller operand's shape is a trailing
 * part of the larger's (or it has one element), and is repeated over the rest. Its gradient is the output
 * gradient summed over the repeats.
 */
final class Arithmetic {
    private Arithmetic() {}

    static Variable add(Variable a, Variable b) {
        Tensor av = a.value(), bv = b.value();
        Tensor big = av.size() >= bv.size() ? av : bv, small = big == av ? bv : av;
        checkBroadcast("add", av, bv, big, small);
        Tensor c = big.copy();
        float[] cd = c.data(), sd = small.data();
        int n = small.size(), so = small.offset();
        for (int i = 0; i < c.size(); i++) cd[i] += sd[so + i % n];
        Variable out = Variable.result(c, "add " + av.shapeString() + "+" + bv.shapeString(), a, b);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    accumulateReduced(a, out.grad());
                    accumulateReduced(b, out.grad());
                }
            });
        }
        return out;
    }

    /** Adds {@code g} into {@code v}'s gradient, summing over the leading dimensions that were broadcast. */
    static void accumulateReduced(Variable v, Tensor g) {
        if (!v.requiresGrad()) return;
        Tensor dv = v.gradBuffer();
        float[] dd = dv.data(), gd = g.data();
        int n = dv.size(), o = dv.offset(), go = g.offset();
        for (int i = 0; i < g.size(); i++) dd[o + i % n] += gd[go + i];
    }

    static void checkBroadcast(String op, Tensor a, Tensor b, Tensor big, Tensor small) {
        int[] bs = big.shape(), ss = small.shape();
        boolean fits = small.size() == 1 && ss.length <= bs.length;
        if (!fits && ss.length <= bs.length) {
            fits = Arrays.equals(ss, Arrays.copyOfRange(bs, bs.length - ss.length, bs.length));
        }
        if (!fits) {
            throw new IllegalArgumentException(op + ": shapes " + a.shapeString() + " and " + b.shapeString()
                    + " do not broadcast; the smaller must match the larger's trailing dimensions");
        }
    }
}
