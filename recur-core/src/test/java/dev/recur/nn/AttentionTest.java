package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.GradCheck;
import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.autograd.Variable;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class AttentionTest {
    private static final Tolerance TOLERANCE = Tolerance.relative(1e-2).absolute(1e-3);
    private static final Lengths UNEQUAL = Lengths.of(3, 5, 1);

    @ParameterizedTest
    @EnumSource(Attention.Form.class)
    void matchesFiniteDifferencesForMemoryQueryAndEveryParameter(Attention.Form form) {
        var rng = new SplittableRandom(41 + form.ordinal());
        var attention = new Attention(form, 4, 4, 3, rng);
        var memory = Variable.parameter(scaled(Tensor.randn(rng, 5, 3, 4), 2));
        var query = Variable.parameter(scaled(Tensor.randn(rng, 3, 4), 2));
        GradCheck.of(() -> attention.forward(attention.keys(memory, UNEQUAL), query).context())
                .withRespectTo("memory", memory).withRespectTo("query", query).withRespectTo(attention.namedParameters())
                .assertMatches(TOLERANCE);
    }

    @ParameterizedTest
    @EnumSource(Attention.Form.class)
    void matchesAPlainComputation(Attention.Form form) {
        var rng = new SplittableRandom(50);
        int s = 6, b = 3, m = 5;
        var attention = new Attention(form, m, m, 4, rng);
        Tensor memory = Tensor.randn(rng, s, b, m), query = Tensor.randn(rng, b, m);
        var lengths = Lengths.of(6, 2, 4);
        var out = attention.forward(attention.keys(Variable.of(memory), lengths), Variable.of(query));
        var p = attention.namedParameters();
        for (int i = 0; i < b; i++) {
            double[] scores = new double[lengths.get(i)];
            for (int t = 0; t < scores.length; t++) scores[t] = score(form, p, memory, query, t, i, m);
            double max = java.util.Arrays.stream(scores).max().orElseThrow(), sum = 0;
            for (double x : scores) sum += Math.exp(x - max);
            for (int t = 0; t < s; t++) {
                double alpha = t < scores.length ? Math.exp(scores[t] - max) / sum : 0;
                assertThat(out.weights().get(i, t)).isCloseTo((float) alpha, within(1e-5f));
            }
            for (int h = 0; h < m; h++) {
                double c = 0;
                for (int t = 0; t < scores.length; t++) c += Math.exp(scores[t] - max) / sum * memory.get(t, i, h);
                assertThat(out.context().value().get(i, h)).isCloseTo((float) c, within(1e-5f));
            }
        }
    }

    private static Tensor scaled(Tensor t, float f) {
        for (int i = 0; i < t.size(); i++) t.data()[t.offset() + i] *= f;
        return t;
    }

    /** score(q, m) by the definitions: q·m, q·(W m), vᵀ tanh(W_m m + W_q q + b). */
    private static double score(Attention.Form form, java.util.Map<String, Variable> p, Tensor memory, Tensor query, int t, int b, int m) {
        double[] mem = new double[m], q = new double[m];
        for (int h = 0; h < m; h++) {
            mem[h] = memory.get(t, b, h);
            q[h] = query.get(b, h);
        }
        if (form == Attention.Form.DOT) return dot(q, mem);
        Tensor wm = p.get("memory.weight").value();
        double[] key = new double[wm.dim(0)];
        for (int a = 0; a < key.length; a++) for (int h = 0; h < m; h++) key[a] += wm.get(a, h) * mem[h];
        if (form == Attention.Form.GENERAL) return dot(q, key);
        Tensor wq = p.get("query.weight").value(), bq = p.get("query.bias").value(), v = p.get("v").value();
        double s = 0;
        for (int a = 0; a < key.length; a++) {
            double z = key[a] + bq.get(a);
            for (int h = 0; h < m; h++) z += wq.get(a, h) * q[h];
            s += v.get(a) * Math.tanh(z);
        }
        return s;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    @Test
    void paddingNeverChangesTheResult() {
        var rng = new SplittableRandom(52);
        var attention = new Attention(Attention.Form.ADDITIVE, 4, 6, 5, rng);
        Tensor memory = Tensor.randn(rng, 7, 2, 6), query = Tensor.randn(rng, 2, 4);
        var lengths = Lengths.of(3, 7);
        var padded = attention.forward(attention.keys(Variable.of(memory), lengths), Variable.of(query));
        Tensor garbage = memory.copy();
        for (int t = 3; t < 7; t++) for (int h = 0; h < 6; h++) garbage.set(1e3f, t, 0, h);
        var changed = attention.forward(attention.keys(Variable.of(garbage), lengths), Variable.of(query));
        assertThat(changed.context().value().toArray()).containsExactly(padded.context().value().toArray());
        for (int t = 3; t < 7; t++) assertThat(padded.weights().get(0, t)).isZero();
    }

    @Test
    void dotAttentionNeedsEqualSizes() {
        assertThatThrownBy(() -> new Attention(Attention.Form.DOT, 4, 6, 4, new SplittableRandom(1)))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("general or additive");
        assertThatThrownBy(() -> Attention.Form.parse("luong")).hasMessageContaining("additive, dot or general");
    }
}
