package dev.recur.autograd;

import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Operations that move values without arithmetic: concat, slice (and split, a slice per part) along any axis,
 * and reshape. Along axis a a tensor is viewed as [outer, n, inner], with outer the product of the dimensions
 * before a and inner of those after; a block of n·inner values per outer index moves as one run.
 * <pre>
 * concat  y[o, offset_k + i, j] = x_k[o, i, j]     dx_k = the same block of dy
 * slice   y[o, i, j] = x[o, from + i, j]           dx[o, from + i, j] += dy[o, i, j]
 * </pre>
 */
final class Shapes {
    private Shapes() {}

    /** {@code axis} (negative counts from the end) as an index into t's shape, or an error naming op and shape. */
    static int axis(String op, Tensor t, int axis) {
        int r = t.rank();
        if (axis < -r || axis >= r) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is outside a tensor of shape " + t.shapeString()
                    + "; expected " + (r == 0 ? "a tensor with at least one dimension" : "-" + r + " to " + (r - 1)));
        }
        return axis < 0 ? axis + r : axis;
    }

    static Variable concat(int axis, Variable... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat: no tensors given; expected at least one");
        Tensor first = parts[0].value();
        int ax = axis("concat", first, axis);
        int[] shape = first.shape();
        shape[ax] = 0;
        for (int k = 0; k < parts.length; k++) {
            int[] s = parts[k].value().shape();
            boolean fits = s.length == shape.length;
            for (int i = 0; fits && i < s.length; i++) fits = i == ax || s[i] == shape[i];
            if (!fits) {
                throw new IllegalArgumentException("concat: part " + k + " has shape " + Arrays.toString(s) + " and part 0 has "
                        + first.shapeString() + "; every dimension except axis " + axis + " must match");
            }
            shape[ax] += s[ax];
        }
        int outer = product(shape, 0, ax), inner = product(shape, ax + 1, shape.length), run = shape[ax] * inner;
        Tensor y = Tensor.zeros(shape);
        int at = 0;
        var origin = new StringBuilder("concat(axis " + axis + ")");
        for (Variable part : parts) {
            Tensor p = part.value();
            int width = p.dim(ax) * inner;
            for (int o = 0; o < outer; o++) System.arraycopy(p.data(), p.offset() + o * width, y.data(), o * run + at, width);
            at += width;
            origin.append(' ').append(p.shapeString());
        }
        Variable out = Variable.result(y, origin.toString(), parts);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    Tensor g = out.grad();
                    int from = 0;
                    for (Variable part : parts) {
                        int width = part.value().dim(ax) * inner;
                        if (part.requiresGrad()) addBlocks(g, from, run, part.gradBuffer(), 0, width, outer, width);
                        from += width;
                    }
                }
            });
        }
        return out;
    }

    /** Indices from (inclusive) to to (exclusive) along axis; a copy. */
    static Variable slice(Variable a, int axis, int from, int to) {
        Tensor av = a.value();
        int ax = axis("slice", av, axis);
        int[] shape = av.shape();
        if (from < 0 || to > shape[ax] || from > to) {
            throw new IllegalArgumentException("slice: range " + from + ".." + to + " is outside axis " + axis + " of shape "
                    + av.shapeString() + "; expected 0 <= from <= to <= " + shape[ax]);
        }
        int outer = product(shape, 0, ax), inner = product(shape, ax + 1, shape.length), run = shape[ax] * inner;
        int width = (to - from) * inner;
        shape[ax] = to - from;
        Tensor y = Tensor.zeros(shape);
        for (int o = 0; o < outer; o++) System.arraycopy(av.data(), av.offset() + o * run + from * inner, y.data(), o * width, width);
        Variable out = Variable.result(y, "slice(axis " + axis + ", " + from + ".." + to + ") " + av.shapeString(), a);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    addBlocks(out.grad(), 0, width, a.gradBuffer(), from * inner, run, outer, width);
                }
            });
        }
        return out;
    }

    static List<Variable> split(Variable a, int axis, int... sizes) {
        Tensor av = a.value();
        int ax = axis("split", av, axis);
        int total = 0;
        for (int s : sizes) {
            if (s < 0) throw new IllegalArgumentException("split: negative size in " + Arrays.toString(sizes));
            total += s;
        }
        if (total != av.dim(ax)) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " add up to " + total + ", but axis "
                    + axis + " of " + av.shapeString() + " has " + av.dim(ax));
        }
        var parts = new ArrayList<Variable>(sizes.length);
        int from = 0;
        for (int s : sizes) {
            parts.add(slice(a, ax, from, from + s));
            from += s;
        }
        return parts;
    }

    /** The same values in another shape of the same size (one dimension may be -1); shares a's values. */
    static Variable reshape(Variable a, int... shape) {
        Tensor av = a.value();
        Tensor y;
        try {
            y = av.reshape(shape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("reshape: cannot view " + av.shapeString() + " (" + av.size() + " values) as "
                    + Arrays.toString(shape), e);
        }
        Variable out = Variable.result(y, "reshape " + av.shapeString() + " to " + y.shapeString(), a);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    addBlocks(out.grad(), 0, 0, a.gradBuffer(), 0, 0, 1, av.size());
                }
            });
        }
        return out;
    }

    /** For o in [0, count): dst[dstAt + o·dstRun, +width) += src[srcAt + o·srcRun, +width). */
    private static void addBlocks(Tensor src, int srcAt, int srcRun, Tensor dst, int dstAt, int dstRun, int count, int width) {
        float[] s = src.data(), d = dst.data();
        for (int o = 0; o < count; o++) {
            int si = src.offset() + srcAt + o * srcRun, di = dst.offset() + dstAt + o * dstRun;
            for (int j = 0; j < width; j++) d[di + j] += s[si + j];
        }
    }

    /** The product of shape[from, to). */
    static int product(int[] shape, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) p *= shape[i];
        return p;
    }
}
