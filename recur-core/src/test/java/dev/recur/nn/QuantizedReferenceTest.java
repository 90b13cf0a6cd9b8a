package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.io.Quantization;
import dev.recur.tensor.QuantizedWeights;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The PyTorch reference cases with int8 weights: outputs and final states within 1 % of PyTorch's float32 ones. */
class QuantizedReferenceTest {
    static List<String> cases() throws IOException {
        return Reference.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void int8WeightsStayWithinOnePercentOfPyTorchFloat32(String name) throws IOException {
        var ref = Reference.load(name);
        var layer = Recurrent.of(ref.recurrentConfig(), new SplittableRandom(1));
        layer.loadStateDict(ref.stateDict());
        Quantization.quantize(layer, QuantizedWeights.Type.INT8);
        RecurrentOutput out;
        try (var off = Tape.noGrad()) {
            out = layer.forward(Variable.of(ref.tensor("input")), Lengths.of(ref.lengths()),
                    new RecurrentState(Variable.of(ref.tensor("h0")), ref.has("c0") ? Variable.of(ref.tensor("c0")) : null));
        }
        assertThat(relative(out.output().value(), ref.tensor("output"))).as(name + " output").isLessThanOrEqualTo(1e-2);
        assertThat(relative(out.h().value(), ref.tensor("h_n"))).as(name + " h_n").isLessThanOrEqualTo(1e-2);
        if (ref.has("c0")) assertThat(relative(out.c().value(), ref.tensor("c_n"))).as(name + " c_n").isLessThanOrEqualTo(1e-2);
        assertThat(relative(out.output().value(), ref.tensor("output"))).as(name + ": the weights did change").isPositive();
    }

    /** ‖a − b‖ / ‖b‖. */
    private static double relative(Tensor a, Tensor b) {
        double d = 0, n = 0;
        for (int i = 0; i < b.size(); i++) {
            d += (a.at(i) - (double) b.at(i)) * (a.at(i) - (double) b.at(i));
            n += (double) b.at(i) * b.at(i);
        }
        return Math.sqrt(d / Math.max(n, 1e-30));
    }
}
