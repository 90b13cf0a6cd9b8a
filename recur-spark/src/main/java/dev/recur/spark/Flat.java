package dev.recur.spark;

import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.List;

/** A model's parameters, or their gradients, as one flat array in the model's parameter order. */
final class Flat {
    private Flat() {}

    static int size(List<Variable> params) {
        int n = 0;
        for (Variable p : params) n += p.value().size();
        return n;
    }

    static float[] values(List<Variable> params) {
        float[] flat = new float[size(params)];
        int at = 0;
        for (Variable p : params) {
            Tensor v = p.value();
            System.arraycopy(v.data(), v.offset(), flat, at, v.size());
            at += v.size();
        }
        return flat;
    }

    static void setValues(List<Variable> params, float[] flat) {
        check(params, flat);
        int at = 0;
        for (Variable p : params) {
            Tensor v = p.value();
            System.arraycopy(flat, at, v.data(), v.offset(), v.size());
            at += v.size();
        }
    }

    /** The gradients, zeros where a parameter has none; {@code has[i]} says whether parameter i has one. */
    static float[] grads(List<Variable> params, boolean[] has) {
        float[] flat = new float[size(params)];
        int at = 0;
        for (int i = 0; i < params.size(); i++) {
            Tensor g = params.get(i).grad();
            has[i] = g != null;
            if (g != null) System.arraycopy(g.data(), g.offset(), flat, at, g.size());
            at += params.get(i).value().size();
        }
        return flat;
    }

    /** Sets the gradients of the parameters that {@code has} marks to {@code flat} · scale; the others keep none. */
    static void setGrads(List<Variable> params, float[] flat, boolean[] has, double scale) {
        check(params, flat);
        int at = 0;
        for (int i = 0; i < params.size(); i++) {
            int n = params.get(i).value().size();
            if (has[i]) {
                Tensor g = params.get(i).gradBuffer();
                float[] d = g.data();
                int o = g.offset();
                for (int j = 0; j < n; j++) d[o + j] = (float) (flat[at + j] * scale);
            }
            at += n;
        }
    }

    private static void check(List<Variable> params, float[] flat) {
        if (flat.length != size(params)) {
            throw new IllegalStateException("expected " + size(params) + " parameter values, got " + flat.length);
        }
    }
}
