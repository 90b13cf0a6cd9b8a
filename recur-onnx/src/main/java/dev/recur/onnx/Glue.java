package dev.recur.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.recur.io.ModelFormatException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Constant folding of the operators {@code torch.onnx.export} writes around its recurrent nodes: Constant, Identity,
 * Cast, Transpose, Squeeze, Unsqueeze, Slice, Concat, Reshape, Shape, Gather, ConstantOfShape and Expand, with both
 * the attribute forms (Slice before opset 10, Squeeze and Unsqueeze before 13) and the input forms of their axes,
 * starts and ends. Values are {@link Const}s: a data type, dims and the elements as doubles in row-major order.
 */
final class Glue {
    static final Set<String> OPERATORS = Set.of("Constant", "Identity", "Cast", "Transpose", "Squeeze", "Unsqueeze", "Slice",
            "Concat", "Reshape", "Shape", "Gather", "ConstantOfShape", "Expand");

    /** The largest constant Recur folds: glue is shapes and indices, weights a few million values at most. */
    private static final long MAX_FOLDED = 1L << 26;

    /** A constant tensor: a TensorProto data type (float32, int32 or int64), its dims and its values. */
    record Const(int type, long[] dims, double[] values) {
        int rank() {
            return dims.length;
        }

        boolean allZero() {
            for (double v : values) if (v != 0) return false;
            return true;
        }

        long[] longs() {
            return Arrays.stream(values).mapToLong(v -> (long) v).toArray();
        }

        float[] floats() {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
            return f;
        }
    }

    private final String source;
    private final NodeProto node;
    private final int index;

    private Glue(String source, NodeProto node, int index) {
        this.source = source;
        this.node = node;
        this.index = index;
    }

    /** "node 'Slice_3' (Slice)", or "node #3 (Slice)" for an unnamed node (index < 0: unknown). */
    static String where(NodeProto node, int index) {
        String name = node.getName().isEmpty() ? "#" + index : "'" + OnnxModelReader.shorten(node.getName()) + "'";
        return "node " + name + " (" + OnnxModelReader.shorten(node.getOpType()) + ")";
    }

    /** The node's outputs from its constant inputs ({@code null} for an absent optional input). */
    static Const fold(String source, NodeProto node, int index, List<Const> in) {
        return new Glue(source, node, index).fold(in);
    }

    ModelFormatException error(String detail) {
        return new ModelFormatException(source, where(node, index) + ": " + detail);
    }

    private Const fold(List<Const> in) {
        return switch (node.getOpType()) {
            case "Constant" -> constant();
            case "Identity" -> in.get(0);
            case "Cast" -> cast(in.get(0));
            case "Transpose" -> transpose(in.get(0));
            case "Squeeze" -> squeeze(in.get(0), axes(in, 1));
            case "Unsqueeze" -> unsqueeze(in.get(0), axes(in, 1));
            case "Slice" -> slice(in);
            case "Concat" -> concat(in);
            case "Reshape" -> reshape(in.get(0), input(in, 1));
            case "Shape" -> shape(in.get(0));
            case "Gather" -> gather(in.get(0), input(in, 1));
            case "ConstantOfShape" -> constantOfShape(input(in, 0));
            case "Expand" -> expand(in.get(0), input(in, 1));
            default -> throw error("Recur imports RNN, GRU and LSTM stacks only");
        };
    }

    private Const input(List<Const> in, int i) {
        if (i >= in.size() || in.get(i) == null) throw error("input " + i + " is missing");
        return in.get(i);
    }

    AttributeProto attribute(String name) {
        for (AttributeProto a : node.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    private long intAttribute(String name, long fallback) {
        AttributeProto a = attribute(name);
        return a == null ? fallback : a.getI();
    }

    private Const constant() {
        if (node.getAttributeCount() != 1) throw error("expected one value attribute, found " + node.getAttributeCount());
        AttributeProto a = node.getAttribute(0);
        return switch (a.getName()) {
            case "value" -> OnnxModelReader.tensor(source, where(node, index) + " value", a.getT());
            case "value_float" -> new Const(OnnxGraph.FLOAT, new long[0], new double[] {a.getF()});
            case "value_floats" -> new Const(OnnxGraph.FLOAT, new long[] {a.getFloatsCount()}, a.getFloatsList().stream().mapToDouble(f -> f).toArray());
            case "value_int" -> new Const(OnnxGraph.INT64, new long[0], new double[] {a.getI()});
            case "value_ints" -> new Const(OnnxGraph.INT64, new long[] {a.getIntsCount()}, a.getIntsList().stream().mapToDouble(l -> l).toArray());
            default -> throw error("attribute " + OnnxModelReader.shorten(a.getName()) + " is not supported");
        };
    }

    private Const cast(Const x) {
        int to = (int) intAttribute("to", -1);
        if (to != OnnxGraph.FLOAT && to != OnnxGraph.INT32 && to != OnnxGraph.INT64) {
            throw error("a cast to " + OnnxModelReader.typeName(to) + " is not supported; Recur folds float32, int32 and int64");
        }
        double[] v = x.values().clone();
        for (int i = 0; i < v.length; i++) {
            if (to == OnnxGraph.FLOAT) v[i] = (float) v[i];
            else v[i] = to == OnnxGraph.INT32 ? (int) (long) v[i] : (long) v[i];
        }
        return new Const(to, x.dims(), v);
    }

    private Const transpose(Const x) {
        int r = x.rank();
        AttributeProto a = attribute("perm");
        if (a != null && a.getIntsCount() != r) throw error("perm " + a.getIntsList() + " does not fit rank " + r);
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = checkAxis(a == null ? r - 1 - i : a.getInts(i), r);
        long[] dims = new long[r];
        for (int i = 0; i < r; i++) dims[i] = x.dims()[checkAxis(perm[i], r)];
        long[] strides = strides(x.dims());
        double[] out = new double[x.values().length];
        long[] idx = new long[r];
        for (int o = 0; o < out.length; o++) {
            long src = 0;
            for (int i = 0; i < r; i++) src += idx[i] * strides[perm[i]];
            out[o] = x.values()[(int) src];
            next(idx, dims);
        }
        return new Const(x.type(), dims, out);
    }

    /** Axes from the attribute (older opsets) or from input {@code i} (opset 13 on); null when neither is given. */
    private long[] axes(List<Const> in, int i) {
        AttributeProto a = attribute("axes");
        if (a != null) return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
        return i < in.size() && in.get(i) != null ? in.get(i).longs() : null;
    }

    private Const squeeze(Const x, long[] axes) {
        int r = x.rank();
        boolean[] drop = new boolean[r];
        if (axes == null) for (int i = 0; i < r; i++) drop[i] = x.dims()[i] == 1;
        else for (long ax : axes) {
            int a = checkAxis(ax, r);
            if (x.dims()[a] != 1) throw error("cannot squeeze axis " + ax + " of dims " + Arrays.toString(x.dims()));
            drop[a] = true;
        }
        var dims = java.util.stream.IntStream.range(0, r).filter(i -> !drop[i]).mapToLong(i -> x.dims()[i]).toArray();
        return new Const(x.type(), dims, x.values());
    }

    private Const unsqueeze(Const x, long[] axes) {
        if (axes == null) throw error("axes are missing");
        int r = x.rank() + axes.length;
        boolean[] added = new boolean[r];
        for (long ax : axes) added[checkAxis(ax, r)] = true;
        long[] dims = new long[r];
        for (int i = 0, j = 0; i < r; i++) dims[i] = added[i] ? 1 : x.dims()[j++];
        return new Const(x.type(), dims, x.values());
    }

    private Const slice(List<Const> in) {
        Const x = in.get(0);
        long[] starts, ends, axes, steps = null;
        if (attribute("starts") != null) {
            starts = attribute("starts").getIntsList().stream().mapToLong(Long::longValue).toArray();
            ends = attribute("ends") == null ? null : attribute("ends").getIntsList().stream().mapToLong(Long::longValue).toArray();
            axes = axes(List.of(), 0);
        } else {
            starts = input(in, 1).longs();
            ends = input(in, 2).longs();
            axes = in.size() > 3 && in.get(3) != null ? in.get(3).longs() : null;
            steps = in.size() > 4 && in.get(4) != null ? in.get(4).longs() : null;
        }
        if (ends == null || ends.length != starts.length || (axes != null && axes.length != starts.length)
                || (steps != null && steps.length != starts.length)) throw error("starts, ends, axes and steps differ in length");
        int r = x.rank();
        long[] from = new long[r], step = new long[r], dims = x.dims().clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            int a = checkAxis(axes == null ? i : axes[i], r);
            long n = x.dims()[a], s = steps == null ? 1 : steps[i];
            if (s == 0) throw error("a slice step is 0");
            long b = starts[i] < 0 ? starts[i] + n : starts[i], e = ends[i] < 0 ? ends[i] + n : ends[i];
            if (s > 0) {
                b = Math.max(0, Math.min(b, n));
                e = Math.max(0, Math.min(e, n));
                dims[a] = Math.max(0, (e - b + s - 1) / s);
            } else {
                b = Math.max(-1, Math.min(b, n - 1));
                e = Math.max(-1, Math.min(e, n - 1));
                dims[a] = Math.max(0, (b - e + (-s) - 1) / (-s));
            }
            from[a] = b;
            step[a] = s;
        }
        long[] strides = strides(x.dims());
        double[] out = new double[(int) size(dims)];
        long[] idx = new long[r];
        for (int o = 0; o < out.length; o++) {
            long src = 0;
            for (int i = 0; i < r; i++) src += (from[i] + idx[i] * step[i]) * strides[i];
            out[o] = x.values()[(int) src];
            next(idx, dims);
        }
        return new Const(x.type(), dims, out);
    }

    private Const concat(List<Const> in) {
        Const first = in.get(0);
        int r = first.rank(), a = checkAxis(intAttribute("axis", 0), r);
        long[] dims = first.dims().clone();
        dims[a] = 0;
        for (Const c : in) {
            if (c.rank() != r) throw error("inputs of ranks " + r + " and " + c.rank());
            for (int i = 0; i < r; i++) if (i != a && c.dims()[i] != first.dims()[i]) throw error("inputs of dims " + Arrays.toString(first.dims()) + " and " + Arrays.toString(c.dims()));
            dims[a] += c.dims()[a];
        }
        long outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= dims[i];
        for (int i = a + 1; i < r; i++) inner *= dims[i];
        double[] out = new double[(int) size(dims)];
        int o = 0;
        for (long b = 0; b < outer; b++) {
            for (Const c : in) {
                int n = (int) (c.dims()[a] * inner);
                System.arraycopy(c.values(), (int) (b * n), out, o, n);
                o += n;
            }
        }
        return new Const(first.type(), dims, out);
    }

    private Const reshape(Const x, Const shape) {
        long[] dims = reshaped(x.dims(), shape.longs(), intAttribute("allowzero", 0) != 0);
        return new Const(x.type(), dims, x.values());
    }

    /** Reshape's target dims: 0 copies the input's dim (unless allowzero), −1 takes what is left. */
    long[] reshaped(long[] in, long[] shape, boolean allowZero) {
        long[] dims = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 0 && !allowZero) {
                if (i >= in.length) throw error("shape " + Arrays.toString(shape) + " copies a dim the input lacks");
                dims[i] = in[i];
            }
            if (dims[i] == -1) {
                if (infer >= 0) throw error("shape " + Arrays.toString(shape) + " has two -1");
                infer = i;
            } else if (dims[i] < 0) throw error("shape " + Arrays.toString(shape) + " has a negative dim");
            else known *= dims[i];
        }
        long total = size(in);
        if (infer >= 0) {
            if (known == 0 || total % known != 0) throw error("cannot reshape dims " + Arrays.toString(in) + " to " + Arrays.toString(shape));
            dims[infer] = total / known;
        } else if (known != total) throw error("cannot reshape dims " + Arrays.toString(in) + " to " + Arrays.toString(shape));
        return dims;
    }

    private Const shape(Const x) {
        int r = x.rank();
        long start = intAttribute("start", 0), end = intAttribute("end", r);
        start = Math.max(0, Math.min(r, start < 0 ? start + r : start));
        end = Math.max(0, Math.min(r, end < 0 ? end + r : end));
        double[] v = new double[(int) Math.max(0, end - start)];
        for (int i = 0; i < v.length; i++) v[i] = x.dims()[(int) start + i];
        return new Const(OnnxGraph.INT64, new long[] {v.length}, v);
    }

    private Const gather(Const x, Const indices) {
        int r = x.rank(), a = checkAxis(intAttribute("axis", 0), r);
        long n = x.dims()[a], outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= x.dims()[i];
        for (int i = a + 1; i < r; i++) inner *= x.dims()[i];
        long[] dims = new long[r - 1 + indices.rank()];
        System.arraycopy(x.dims(), 0, dims, 0, a);
        System.arraycopy(indices.dims(), 0, dims, a, indices.rank());
        System.arraycopy(x.dims(), a + 1, dims, a + indices.rank(), r - a - 1);
        long[] idx = indices.longs();
        double[] out = new double[(int) size(dims)];
        int o = 0;
        for (long b = 0; b < outer; b++) {
            for (long k : idx) {
                long j = k < 0 ? k + n : k;
                if (j < 0 || j >= n) throw error("index " + k + " is outside dim " + n);
                System.arraycopy(x.values(), (int) ((b * n + j) * inner), out, o, (int) inner);
                o += (int) inner;
            }
        }
        return new Const(x.type(), dims, out);
    }

    private Const constantOfShape(Const shape) {
        AttributeProto a = attribute("value");
        Const value = a == null ? new Const(OnnxGraph.FLOAT, new long[] {1}, new double[] {0})
                : OnnxModelReader.tensor(source, where(node, index) + " value", a.getT());
        if (value.values().length != 1) throw error("value must hold one element");
        long[] dims = shape.longs();
        for (long d : dims) if (d < 0) throw error("shape " + Arrays.toString(dims) + " has a negative dim");
        double[] out = new double[(int) size(dims)];
        Arrays.fill(out, value.values()[0]);
        return new Const(value.type(), dims, out);
    }

    private Const expand(Const x, Const shape) {
        long[] target = shape.longs();
        int r = Math.max(x.rank(), target.length);
        long[] dims = new long[r], xd = new long[r];
        for (int i = 0; i < r; i++) {
            long a = i - (r - x.rank()) >= 0 ? x.dims()[i - (r - x.rank())] : 1;
            long b = i - (r - target.length) >= 0 ? target[i - (r - target.length)] : 1;
            if (a != b && a != 1 && b != 1) throw error("cannot broadcast dims " + Arrays.toString(x.dims()) + " to " + Arrays.toString(target));
            xd[i] = a;
            dims[i] = Math.max(a, b);
        }
        long[] strides = strides(xd);
        double[] out = new double[(int) size(dims)];
        long[] idx = new long[r];
        for (int o = 0; o < out.length; o++) {
            long src = 0;
            for (int i = 0; i < r; i++) src += (xd[i] == 1 ? 0 : idx[i]) * strides[i];
            out[o] = x.values()[(int) src];
            next(idx, dims);
        }
        return new Const(x.type(), dims, out);
    }

    int checkAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw error("axis " + axis + " is outside rank " + rank);
        return (int) a;
    }

    private long size(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
            if (n > MAX_FOLDED) throw error("dims " + Arrays.toString(dims) + " are too large to fold (more than " + MAX_FOLDED + " values)");
        }
        return n;
    }

    private static long[] strides(long[] dims) {
        long[] s = new long[dims.length];
        long n = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = n;
            n *= dims[i];
        }
        return s;
    }

    /** Advances a row-major multi-index. */
    private static void next(long[] idx, long[] dims) {
        for (int i = idx.length - 1; i >= 0; i--) {
            if (++idx[i] < dims[i]) return;
            idx[i] = 0;
        }
    }

    /** A Glue bound to a node, for the importer's checks of attributes and axes on values that are not constant. */
    static Glue at(String source, NodeProto node, int index) {
        return new Glue(source, node, index);
    }
}
