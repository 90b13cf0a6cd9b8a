package dev.recur.train;

import dev.recur.autograd.Variable;
import dev.recur.nn.Module;
import dev.recur.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The L2 norm of every parameter's gradient, by PyTorch name, e.g. {@code {"rnn.weight_hh_l0": 0.031, ...}}: where
 * the gradient of a stack goes, layer by layer. Call it after backward, before the optimizer steps.
 */
public final class GradientNorms {
    private GradientNorms() {}

    /** Every parameter of {@code model} in registration order; 0 for one no gradient reached. */
    public static Map<String, Double> of(Module model) {
        var norms = new LinkedHashMap<String, Double>();
        for (Map.Entry<String, Variable> e : model.namedParameters().entrySet()) norms.put(e.getKey(), norm(e.getValue().grad()));
        return norms;
    }

    private static double norm(Tensor g) {
        if (g == null) return 0;
        double sq = 0;
        for (int i = 0; i < g.size(); i++) sq += (double) g.at(i) * g.at(i);
        return Math.sqrt(sq);
    }
}
