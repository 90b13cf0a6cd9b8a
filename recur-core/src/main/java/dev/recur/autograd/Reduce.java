package dev.recur.autograd;

import dev.recur.tensor.Tensor;
import java.util.Arrays;

/**
 * Sums and means, of all elements (a scalar) or along one axis (that axis removed, as PyTorch's
 * {@code sum(dim)}). Sums accumulate in double. Along an axis the input is viewed as [outer, n, inner]:
 * <pre>
 * y[o, j] = Σ_k x[o, k, j]       dx[o, k, j] = dy[o, j]
 * mean: y = (1/n) Σ x            dx = dy / n
 * </pre>
 * The mean of no elements is NaN, as in PyTorch.
 */
final class Reduce {
    private Reduce() {}

    static Variable sum(Variable a) {
        return all("sum", a, 1f);
    }

    static Variable mean(Variable a) {
        return all("mean", a, 1f / a.value().size());
    }

    static Variable sum(Variable a, int axis) {
        return alongAxis("sum", a, axis, false);
    }

    static Variable mean(Variable a, int axis) {
        return alongAxis("mean", a, axis, true);
    }

    /** scale · Σ x, as a scalar. */
    private static Variable all(String name, Variable a, float scale) {
        Tensor av = a.value();
        double s = 0;
        for (int i = 0; i < av.size(); i++) s += av.at(i);
        Variable out = Variable.result(Tensor.scalar((float) (scale * s)), name + " " + av.shapeString(), a);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    float g = scale * out.grad().item();
                    Tensor da = a.gradBuffer();
                    float[] d = da.data();
                    for (int i = 0; i < da.size(); i++) d[da.offset() + i] += g;
                }
            });
        }
        return out;
    }

    private static Variable alongAxis(String name, Variable a, int axis, boolean mean) {
        Tensor av = a.value();
        int[] shape = av.shape();
        int ax = Shapes.axis(name, av, axis);
        int outer = Shapes.product(shape, 0, ax), n = shape[ax], inner = Shapes.product(shape, ax + 1, shape.length);
        float scale = mean ? 1f / n : 1f;
        int[] outShape = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != ax) outShape[j++] = shape[i];

        Tensor y = Tensor.zeros(outShape);
        float[] x = av.data(), yd = y.data();
        double[] acc = new double[inner];
        for (int o = 0; o < outer; o++) {
            Arrays.fill(acc, 0);
            for (int k = 0; k < n; k++) {
                int base = av.offset() + (o * n + k) * inner;
                for (int j = 0; j < inner; j++) acc[j] += x[base + j];
            }
            for (int j = 0; j < inner; j++) yd[o * inner + j] = (float) (scale * acc[j]);
        }
        Variable out = Variable.result(y, name + "(axis " + axis + ") " + av.shapeString(), a);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    Tensor g = out.grad(), da = a.gradBuffer();
                    float[] gd = g.data(), d = da.data();
                    for (int o = 0; o < outer; o++) {
                        for (int k = 0; k < n; k++) {
                            int base = da.offset() + (o * n + k) * inner;
                            for (int j = 0; j < inner; j++) d[base + j] += scale * gd[g.offset() + o * inner + j];
                        }
                    }
                }
            });
        }
        return out;
    }
}
