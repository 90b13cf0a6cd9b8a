package dev.recur.autograd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * GradCheck must catch a wrong backward in every op family. Each case takes the real op's value but records a
 * hand-written backward with a typical mistake in its place, so production code carries no test hook.
 */
class WrongBackwardTest {
    private static final Tolerance TOL = Tolerance.relative(1e-2).absolute(1e-3);
    private final SplittableRandom rng = new SplittableRandom(81);

    @Test
    void arithmeticBroadcastGradientNotSummedOverRepeats() {
        var x = Variable.parameter(Tensor.randn(rng, 3, 4));
        var b = Variable.parameter(Tensor.randn(rng, 4));
        var failures = GradCheck.of(() -> wrong(() -> x.mul(b), out -> {
            Tensor g = out.grad();
            for (int i = 0; i < 12; i++) x.gradBuffer().data()[i] += g.at(i) * b.value().at(i % 4);
            for (int j = 0; j < 4; j++) b.gradBuffer().data()[j] += g.at(j) * x.value().at(j);   // row 0 only
        }, x, b)).withRespectTo("x", x).withRespectTo("b", b).check(TOL);
        assertNamesOnly(failures, "b");
    }

    @Test
    void pointwiseSigmoidDerivativeWithoutOneMinusSigma() {
        var x = Variable.parameter(Tensor.randn(rng, 2, 5));
        var failures = GradCheck.of(() -> wrong(x::sigmoid, out -> {
            for (int i = 0; i < 10; i++) x.gradBuffer().data()[i] += out.grad().at(i) * out.value().at(i);
        }, x)).withRespectTo("x", x).check(TOL);
        assertNamesOnly(failures, "x");
    }

    @Test
    void reduceMeanWithoutOneOverN() {
        var x = Variable.parameter(Tensor.randn(rng, 3, 3));
        var failures = GradCheck.of(() -> wrong(x::mean, out -> {
            for (int i = 0; i < 9; i++) x.gradBuffer().data()[i] += out.grad().item();
        }, x)).withRespectTo("x", x).check(TOL);
        assertNamesOnly(failures, "x");
    }

    @Test
    void softmaxWithoutTheSumTerm() {
        var x = Variable.parameter(Tensor.randn(rng, 2, 6));
        var failures = GradCheck.of(() -> wrong(x::softmax, out -> {
            for (int i = 0; i < 12; i++) x.gradBuffer().data()[i] += out.grad().at(i) * out.value().at(i);
        }, x)).withRespectTo("x", x).check(TOL);
        assertNamesOnly(failures, "x");
    }

    @Test
    void crossEntropyAveragedOverIgnoredRowsToo() {
        var logits = Variable.parameter(Tensor.randn(rng, 4, 3));
        int[] targets = {2, -100, 0, 1};
        var failures = GradCheck.of(() -> wrong(() -> logits.crossEntropy(targets), out -> {
            var p = logits.value().copy();
            for (int r = 0; r < 4; r++) {
                if (targets[r] < 0) continue;
                double s = 0;
                for (int j = 0; j < 3; j++) s += Math.exp(p.get(r, j));
                for (int j = 0; j < 3; j++) {
                    double d = Math.exp(p.get(r, j)) / s - (j == targets[r] ? 1 : 0);
                    logits.gradBuffer().data()[r * 3 + j] += (float) (out.grad().item() * d / 4);   // should be / 3
                }
            }
        }, logits)).withRespectTo("logits", logits).check(TOL);
        assertNamesOnly(failures, "logits");
    }

    @Test
    void mseWithoutTheFactorTwo() {
        var p = Variable.parameter(Tensor.randn(rng, 5));
        var y = Variable.of(Tensor.randn(rng, 5));
        var failures = GradCheck.of(() -> wrong(() -> p.mse(y), out -> {
            for (int i = 0; i < 5; i++) p.gradBuffer().data()[i] += out.grad().item() * (p.value().at(i) - y.value().at(i)) / 5;
        }, p)).withRespectTo("prediction", p).check(TOL);
        assertNamesOnly(failures, "prediction");
    }

    @Test
    void concatGivingEveryPartTheFirstBlock() {
        var a = Variable.parameter(Tensor.randn(rng, 2, 2));
        var b = Variable.parameter(Tensor.randn(rng, 2, 2));
        var failures = GradCheck.of(() -> wrong(() -> Functional.concat(1, a, b), out -> {
            for (Variable part : List.of(a, b)) {
                for (int r = 0; r < 2; r++) for (int j = 0; j < 2; j++) part.gradBuffer().data()[r * 2 + j] += out.grad().get(r, j);
            }
        }, a, b)).withRespectTo("a", a).withRespectTo("b", b).check(TOL);
        assertNamesOnly(failures, "b");
    }

    @Test
    void embeddingAssigningInsteadOfAccumulating() {
        var weight = Variable.parameter(Tensor.randn(rng, 4, 3));
        int[] ids = {1, 3, 1};
        var failures = GradCheck.of(() -> wrong(() -> Functional.embedding(weight, ids), out -> {
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) weight.gradBuffer().data()[ids[i] * 3 + j] = out.grad().get(i, j);
        }, weight)).withRespectTo("weight", weight).check(TOL);
        assertThat(failures).isNotEmpty().allMatch(f -> f.startsWith("weight[1, "));
    }

    @Test
    void dropoutMaskNotScaled() {
        var x = Variable.parameter(Tensor.randn(rng, 4, 4));
        var failures = GradCheck.of(() -> wrong(() -> x.dropout(0.5f, new SplittableRandom(5), true), out -> {
            for (int i = 0; i < 16; i++) if (out.value().at(i) != 0) x.gradBuffer().data()[i] += out.grad().at(i);
        }, x)).withRespectTo("x", x).check(TOL);
        assertNamesOnly(failures, "x");
    }

    @Test
    void layerNormTreatingMeanAndVarianceAsConstants() {
        var x = Variable.parameter(Tensor.randn(rng, 2, 4));
        var gamma = Variable.of(Tensor.randn(rng, 4));
        var beta = Variable.of(Tensor.zeros(4));
        var failures = GradCheck.of(() -> wrong(() -> x.layerNorm(gamma, beta, 1e-5f), out -> {
            for (int r = 0; r < 2; r++) {
                double mu = 0, var = 0;
                for (int j = 0; j < 4; j++) mu += x.value().get(r, j) / 4;
                for (int j = 0; j < 4; j++) var += Math.pow(x.value().get(r, j) - mu, 2) / 4;
                for (int j = 0; j < 4; j++) {
                    x.gradBuffer().data()[r * 4 + j] += (float) (out.grad().get(r, j) * gamma.value().at(j) / Math.sqrt(var + 1e-5));
                }
            }
        }, x)).withRespectTo("x", x).check(TOL);
        assertNamesOnly(failures, "x");
    }

    /** The value of {@code real}, computed without recording, recorded with {@code backward} as its gradient rule. */
    private static Variable wrong(Supplier<Variable> real, Consumer<Variable> backward, Variable... inputs) {
        Tensor value;
        try (var off = Tape.noGrad()) {
            value = real.get().value();
        }
        Variable out = Variable.result(value, "wrong", inputs);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() { backward.accept(out); }
            });
        }
        return out;
    }

    /** Failures exist, all for {@code name}, in GradCheck's format. */
    private static void assertNamesOnly(List<String> failures, String name) {
        assertThat(failures).isNotEmpty().allMatch(f -> f.startsWith(name + "["));
        assertThat(failures.get(0)).matches("\\Q" + name + "\\E\\[[0-9, ]+\\]: analytic \\S+, numeric \\S+, relative error \\S+ > 0\\.010");
    }
}
