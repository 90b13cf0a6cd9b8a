package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Outputs, final states and every gradient against PyTorch 1.13 (tools/reference/rnn_reference.py). */
class RecurrentReferenceTest {
    /** Largest difference allowed, relative to the largest magnitude in the expected tensor. */
    private static final double TOLERANCE = 1e-5;
    private static double largest;

    static List<String> cases() throws IOException {
        return Reference.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name) throws IOException {
        var ref = Reference.load(name);
        var config = ref.recurrentConfig();
        var layer = Recurrent.of(config, new SplittableRandom(1));
        assertThat(layer.namedParameters().keySet()).containsExactlyElementsOf(ref.stateDict().keySet());
        layer.loadStateDict(ref.stateDict());
        var x = Variable.parameter(ref.tensor("input").copy());
        var h0 = Variable.parameter(ref.tensor("h0").copy());
        var c0 = ref.has("c0") ? Variable.parameter(ref.tensor("c0").copy()) : null;

        Tape.clear();
        var out = layer.forward(x, Lengths.of(ref.lengths()), new RecurrentState(h0, c0));
        out.h().gradBuffer().copyFrom(ref.tensor("seed.h_n"));
        if (c0 != null) out.c().gradBuffer().copyFrom(ref.tensor("seed.c_n"));
        Tape.backward(out.output(), ref.tensor("seed.output"));

        var failures = new ArrayList<String>();
        compare(failures, "output", ref.tensor("output"), out.output().value());
        compare(failures, "h_n", ref.tensor("h_n"), out.h().value());
        compare(failures, "grad.input", ref.tensor("grad.input"), x.grad());
        compare(failures, "grad.h0", ref.tensor("grad.h0"), h0.grad());
        if (c0 != null) {
            compare(failures, "c_n", ref.tensor("c_n"), out.c().value());
            compare(failures, "grad.c0", ref.tensor("grad.c0"), c0.grad());
        }
        layer.namedParameters().forEach((n, p) -> compare(failures, "grad." + n, ref.tensor("grad." + n), p.grad()));
        assertThat(failures).as(name).isEmpty();
    }

    /** Records a failure when max |actual − expected| exceeds TOLERANCE · max |expected|. */
    static double compare(List<String> failures, String what, Tensor expected, Tensor actual) {
        if (actual == null) {
            failures.add(what + ": no value");
            return Double.NaN;
        }
        assertThat(actual.shape()).as(what).containsExactly(expected.shape());
        double scale = 0, diff = 0;
        for (int i = 0; i < expected.size(); i++) {
            scale = Math.max(scale, Math.abs(expected.at(i)));
            diff = Math.max(diff, Math.abs(expected.at(i) - actual.at(i)));
        }
        double relative = diff / Math.max(scale, 1e-12);
        largest = Math.max(largest, relative);
        if (relative > TOLERANCE) failures.add(String.format("%s: max difference %.3g, %.3g of the scale %.3g", what, diff, relative, scale));
        return relative;
    }

    @AfterAll
    static void reportLargestDifference() {
        System.out.printf("PyTorch reference: largest difference %.3g of the scale%n", largest);
    }
}
