package dev.recur.autograd;

import dev.recur.tensor.Tensor;
import java.util.Arrays;

/**
 * Elementwise arithmetic with broadcasting over leading dimensions: the smaller operand's shape is a trailing
 * part of the larger's (or it has one element), and is repeated over the rest, either way round. The output
 * has the larger shape; an operand's gradient is its partial derivative times the output gradient, summed
 * over the repeats.
 * <pre>
 * c = a + b:  da = dc            db = dc
 * c = a − b:  da = dc            db = −dc
 * c = a ⊙ b:  da = dc ⊙ b        db = dc ⊙ a
 * c = a / b:  da = dc / b        db = −dc ⊙ c / b
 * y = α·x + β (scalar forms):    dx = α·dy
 * </pre>
 */
final class Arithmetic {
    private Arithmetic() {}

    /** The four binary operations; the name is the one error messages and origins print. */
    enum Op {
        ADD("add"), SUB("sub"), MUL("mul"), DIV("div");

        final String name;

        Op(String name) {
            this.name = name;
        }
    }

    static Variable add(Variable a, Variable b) {
        return binary(Op.ADD, a, b);
    }

    static Variable binary(Op op, Variable a, Variable b) {
        Tensor av = a.value(), bv = b.value();
        Tensor big = broadcast(op.name, av, bv);
        Tensor c = Tensor.zeros(big.shape());
        float[] x = av.data(), y = bv.data(), z = c.data();
        int xo = av.offset(), yo = bv.offset(), na = av.size(), nb = bv.size(), n = c.size();
        // ia and ib walk each operand, wrapping round the smaller one: c[i] = a[i mod na] op b[i mod nb].
        switch (op) {
            case ADD -> { for (int i = 0, ia = 0, ib = 0; i < n; i++, ia = wrap(ia, na), ib = wrap(ib, nb)) z[i] = x[xo + ia] + y[yo + ib]; }
            case SUB -> { for (int i = 0, ia = 0, ib = 0; i < n; i++, ia = wrap(ia, na), ib = wrap(ib, nb)) z[i] = x[xo + ia] - y[yo + ib]; }
            case MUL -> { for (int i = 0, ia = 0, ib = 0; i < n; i++, ia = wrap(ia, na), ib = wrap(ib, nb)) z[i] = x[xo + ia] * y[yo + ib]; }
            case DIV -> { for (int i = 0, ia = 0, ib = 0; i < n; i++, ia = wrap(ia, na), ib = wrap(ib, nb)) z[i] = x[xo + ia] / y[yo + ib]; }
        }
        Variable out = Variable.result(c, op.name + " " + av.shapeString() + ", " + bv.shapeString(), a, b);
        if (out.requiresGrad()) Tape.record(new BinaryNode(op, a, b, out));
        return out;
    }

    /** y = α·x + β elementwise, for the scalar forms add(s), sub(s), mul(s), div(s) and neg(). */
    static Variable affine(String name, Variable a, float alpha, float beta) {
        Tensor av = a.value();
        Tensor c = Tensor.zeros(av.shape());
        float[] x = av.data(), z = c.data();
        int xo = av.offset();
        for (int i = 0; i < z.length; i++) z[i] = alpha * x[xo + i] + beta;
        Variable out = Variable.result(c, name + " " + av.shapeString(), a);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    Tensor g = out.grad(), da = a.gradBuffer();
                    float[] gd = g.data(), d = da.data();
                    for (int i = 0; i < z.length; i++) d[da.offset() + i] += alpha * gd[g.offset() + i];
                }
            });
        }
        return out;
    }

    private record BinaryNode(Op op, Variable a, Variable b, Variable output) implements TapeNode {
        @Override
        public void backward() {
            Tensor g = output.grad();
            Tensor av = a.value(), bv = b.value(), cv = output.value();
            float[] gd = g.data(), x = av.data(), y = bv.data(), z = cv.data();
            int go = g.offset(), xo = av.offset(), yo = bv.offset(), na = av.size(), nb = bv.size(), n = cv.size();
            if (a.requiresGrad()) {
                Tensor da = a.gradBuffer();
                float[] d = da.data();
                int o = da.offset();
                switch (op) {
                    case ADD, SUB -> { for (int i = 0, ia = 0; i < n; i++, ia = wrap(ia, na)) d[o + ia] += gd[go + i]; }
                    case MUL -> { for (int i = 0, ia = 0, ib = 0; i < n; i++, ia = wrap(ia, na), ib = wrap(ib, nb)) d[o + ia] += gd[go + i] * y[yo + ib]; }
                    case DIV -> { for (int i = 0, ia = 0, ib = 0; i < n; i++, ia = wrap(ia, na), ib = wrap(ib, nb)) d[o + ia] += gd[go + i] / y[yo + ib]; }
                }
            }
            if (b.requiresGrad()) {
                Tensor db = b.gradBuffer();
                float[] d = db.data();
                int o = db.offset();
                switch (op) {
                    case ADD -> { for (int i = 0, ib = 0; i < n; i++, ib = wrap(ib, nb)) d[o + ib] += gd[go + i]; }
                    case SUB -> { for (int i = 0, ib = 0; i < n; i++, ib = wrap(ib, nb)) d[o + ib] -= gd[go + i]; }
                    case MUL -> { for (int i = 0, ia = 0, ib = 0; i < n; i++, ia = wrap(ia, na), ib = wrap(ib, nb)) d[o + ib] += gd[go + i] * x[xo + ia]; }
                    case DIV -> { for (int i = 0, ib = 0; i < n; i++, ib = wrap(ib, nb)) d[o + ib] -= gd[go + i] * z[i] / y[yo + ib]; }
                }
            }
        }
    }

    /** The next index of an operand of n elements that repeats: i + 1, back to 0 at n. */
    private static int wrap(int i, int n) {
        return ++i == n ? 0 : i;
    }

    /**
     * The operand whose shape the output takes: the one the other fits into, as its trailing dimensions or as
     * one element of no more dimensions. Throws, naming the operation and both shapes, when neither fits.
     */
    static Tensor broadcast(String op, Tensor a, Tensor b) {
        if (fits(b, a)) return a;
        if (fits(a, b)) return b;
        throw new IllegalArgumentException(op + ": shapes " + a.shapeString() + " and " + b.shapeString()
                + " do not broadcast; the smaller must match the larger's trailing dimensions (e.g. [B, F] and [F])"
                + " or hold one element");
    }

    private static boolean fits(Tensor small, Tensor big) {
        int[] bs = big.shape(), ss = small.shape();
        if (ss.length > bs.length) return false;
        return small.size() == 1 || Arrays.equals(ss, Arrays.copyOfRange(bs, bs.length - ss.length, bs.length));
    }
}
