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
        float[] xd = av.data(), yd = bv.data(), z = c.data();
        int xo = av.offset(), yo = bv.offset(), na = av.size(), nb = bv.size();
        // ia and ib walk the operands, the smaller one wrapping round: c[i] = a[i mod na] op b[i mod nb].
        for (int i = 0, ia = 0, ib = 0; i < z.length; i++, ia = wrap(ia, na), ib = wrap(ib, nb)) {
            float x = xd[xo + ia], y = yd[yo + ib];
            z[i] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
            };
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
            Tensor g = output.grad(), av = a.value(), bv = b.value();
            float[] gd = g.data(), xd = av.data(), yd = bv.data(), z = output.value().data();
            float[] da = a.requiresGrad() ? a.gradBuffer().data() : null;
            float[] db = b.requiresGrad() ? b.gradBuffer().data() : null;
            int dao = da == null ? 0 : a.grad().offset(), dbo = db == null ? 0 : b.grad().offset();
            int go = g.offset(), xo = av.offset(), yo = bv.offset(), na = av.size(), nb = bv.size();
            for (int i = 0, ia = 0, ib = 0; i < z.length; i++, ia = wrap(ia, na), ib = wrap(ib, nb)) {
                float dc = gd[go + i], x = xd[xo + ia], y = yd[yo + ib];
                if (da != null) {
                    da[dao + ia] += switch (op) {
                        case ADD, SUB -> dc;
                        case MUL -> dc * y;
                        case DIV -> dc / y;
                    };
                }
                if (db != null) {
                    db[dbo + ib] += switch (op) {
                        case ADD -> dc;
                        case SUB -> -dc;
                        case MUL -> dc * x;
                        case DIV -> -dc * z[i] / y;
                    };
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
