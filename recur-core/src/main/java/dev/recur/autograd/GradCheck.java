package dev.recur.autograd;

import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Compares analytic gradients with central differences. The probe is L = Σ out ⊙ R with R fixed and random
 * (a plain sum would hide errors: the gradient of a softmax's sum is zero). Differences use h = 1e-3 and are
 * accumulated in double; every element of a small tensor is checked, a fixed sample of a large one.
 * <pre>
 * GradCheck.of(() -> x.matmul(w).tanh())
 *          .withRespectTo("x", x).withRespectTo("w", w)
 *          .assertMatches(Tolerance.relative(1e-2).absolute(1e-3));
 * </pre>
 * The function must be deterministic (a dropout inside it must draw from a freshly seeded generator).
 */
public final class GradCheck {
    private static final double H = 1e-3;
    private static final int MAX_ELEMENTS = 256;

    private final Supplier<Variable> function;
    private final Map<String, Variable> inputs = new LinkedHashMap<>();
    private long seed = 17;

    private GradCheck(Supplier<Variable> function) {
        this.function = function;
    }

    public static GradCheck of(Supplier<Variable> function) {
        return new GradCheck(function);
    }

    /** Checks the gradient with respect to {@code v}, named in failures by {@code name}. */
    public GradCheck withRespectTo(String name, Variable v) {
        if (!v.requiresGrad()) throw new IllegalArgumentException(name + " does not require a gradient; make it with Variable.parameter");
        inputs.put(name, v);
        return this;
    }

    public GradCheck withRespectTo(Variable v) {
        return withRespectTo("input" + inputs.size(), v);
    }

    public GradCheck withRespectTo(Map<String, Variable> named) {
        named.forEach(this::withRespectTo);
        return this;
    }

    /** The seed of the weights R and of the element sample. */
    public GradCheck seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Throws an AssertionError listing every element whose analytic and numeric gradients differ. */
    public void assertMatches(Tolerance tolerance) {
        List<String> failures = check(tolerance);
        if (!failures.isEmpty()) {
            int shown = Math.min(failures.size(), 10);
            throw new AssertionError(failures.size() + " gradient element(s) differ:\n  "
                    + String.join("\n  ", failures.subList(0, shown)) + (failures.size() > shown ? "\n  ..." : ""));
        }
    }

    /** The failures, one line each, e.g. "w[7, 2]: analytic 0.01234, numeric 0.01302, relative error 5.2e-2 > 1e-2". */
    public List<String> check(Tolerance tolerance) {
        var rng = new SplittableRandom(seed);
        Tape.clear();
        inputs.values().forEach(Variable::zeroGrad);
        Variable out = function.get();
        Tensor weights = Tensor.randn(rng, out.value().shape());
        if (!out.requiresGrad()) throw new IllegalStateException("the function's output does not depend on any checked input");
        Tape.backward(out, weights);

        List<String> failures = new ArrayList<>();
        for (var entry : inputs.entrySet()) {
            Variable v = entry.getValue();
            Tensor analytic = v.grad() == null ? v.value().zerosLike() : v.grad().copy();
            for (int i : sample(v.value().size(), rng)) {
                double numeric = numericGradient(v.value(), i, weights);
                double a = analytic.at(i);
                double err = Math.abs(a - numeric);
                double scale = Math.max(Math.abs(a), Math.abs(numeric));
                if (err > tolerance.absolute() + tolerance.relative() * scale) {
                    failures.add(String.format("%s%s: analytic %.6g, numeric %.6g, relative error %.2g > %.2g",
                            entry.getKey(), java.util.Arrays.toString(v.value().unflatten(i)), a, numeric,
                            scale == 0 ? 0 : err / scale, tolerance.relative()));
                }
            }
        }
        return failures;
    }

    private double numericGradient(Tensor t, int i, Tensor weights) {
        float[] d = t.data();
        int at = t.offset() + i;
        float original = d[at];
        try {
            d[at] = (float) (original + H);
            double plus = probe(weights);
            d[at] = (float) (original - H);
            double minus = probe(weights);
            return (plus - minus) / ((double) (float) (original + H) - (double) (float) (original - H));
        } finally {
            d[at] = original;
        }
    }

    private double probe(Tensor weights) {
        try (var off = Tape.noGrad()) {
            Tensor out = function.get().value();
            double s = 0;
            for (int j = 0; j < out.size(); j++) s += (double) out.at(j) * weights.at(j);
            return s;
        }
    }

    private static int[] sample(int size, SplittableRandom rng) {
        if (size <= MAX_ELEMENTS) return java.util.stream.IntStream.range(0, size).toArray();
        return rng.ints(MAX_ELEMENTS, 0, size).distinct().sorted().toArray();
    }

    /** Element i passes when |analytic − numeric| ≤ absolute + relative · max(|analytic|, |numeric|). */
    public record Tolerance(double relative, double absolute) {
        public static Tolerance relative(double relative) {
            return new Tolerance(relative, 0);
        }

        public Tolerance absolute(double absolute) {
            return new Tolerance(relative, absolute);
        }
    }
}
