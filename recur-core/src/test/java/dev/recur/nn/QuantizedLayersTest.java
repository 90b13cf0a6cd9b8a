package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.recur.autograd.Variable;
import dev.recur.io.Quantization;
import dev.recur.kernel.Parallel;
import dev.recur.tensor.QuantizedWeights;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Layers of a quantized model read the int8 or bfloat16 weights in every product of one to four rows. To show it, the
 * float32 values of those weights are overwritten with NaN (the narrow form stays attached): a product that read them
 * would turn the output into NaN. The results are compared with a float32 twin holding the dequantized values.
 */
class QuantizedLayersTest {
    private static final int THREADS = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(THREADS);
    }

    /** Every cell's batch-1 to batch-4 step (InferenceStep and the stepper): all its products are narrow. */
    @ParameterizedTest
    @CsvSource({"int8, LSTM, 0, false, 1", "int8, LSTM, 5, false, 3", "int8, GRU, 0, false, 1", "int8, GRU, 0, true, 4",
            "int8, RNN, 0, false, 2", "bf16, LSTM, 0, false, 1", "bf16, LSTM, 5, false, 2", "bf16, GRU, 0, true, 1",
            "bf16, RNN, 0, false, 3"})
    void stepsOfOneToFourRowsReadOnlyTheNarrowWeights(String dtype, CellType cell, int proj, boolean resetBefore, int batch) {
        Parallel.setThreads(2);
        var config = config(cell, proj, resetBefore);
        var quantized = Recurrent.of(config, new SplittableRandom(11));
        Quantization.quantize(quantized, QuantizedWeights.Type.of(dtype));
        var twin = twin(quantized, Recurrent.of(config, new SplittableRandom(12)));
        poison(quantized, name -> true);
        var rng = new SplittableRandom(batch);
        Stepper stepper = quantized.stepper();
        RecurrentState expected = null, stepped = null, fused = null;
        for (int t = 0; t < 6; t++) {
            var x = Tensor.randn(rng, batch, config.inputSize());
            var want = twin.step(x, expected);
            var got = quantized.step(x, stepped);
            var gotFused = stepper.step(x, fused);
            assertClose(got.output().value(), want.output().value(), "step " + t);
            assertClose(gotFused.output().value(), want.output().value(), "stepper, step " + t);
            expected = want.state();
            stepped = got.state();
            fused = gotFused.state();
        }
    }

    /**
     * A sequence of a small batch: the input product covers all steps at once (many rows, float32), every step's
     * recurrent products read the narrow weights packed once per call; a batch of five or more reads float32 throughout.
     */
    @ParameterizedTest
    @CsvSource({"int8, LSTM, 0, false, 2", "int8, LSTM, 5, false, 1", "int8, GRU, 0, true, 3", "int8, RNN, 0, false, 4",
            "bf16, GRU, 0, false, 2", "int8, LSTM, 0, false, 6", "bf16, GRU, 0, true, 6"})
    void sequencesOfSmallBatchesReadTheNarrowRecurrentWeights(String dtype, CellType cell, int proj, boolean resetBefore, int batch) {
        Parallel.setThreads(2);
        var config = config(cell, proj, resetBefore);
        var quantized = Recurrent.of(config, new SplittableRandom(21));
        Quantization.quantize(quantized, QuantizedWeights.Type.of(dtype));
        var twin = twin(quantized, Recurrent.of(config, new SplittableRandom(22)));
        if (batch <= 4) poison(quantized, name -> !name.startsWith("weight_ih"));
        var x = Variable.of(Tensor.randn(new SplittableRandom(batch), 7, batch, config.inputSize()));
        assertClose(quantized.forward(x).output().value(), twin.forward(x).output().value(), "sequence");
    }

    @Test
    void aLinearLayerOnFewRowsReadsTheNarrowWeights() {
        for (var type : QuantizedWeights.Type.values()) {
            var quantized = new Linear(37, 19, new SplittableRandom(31));
            Quantization.quantize(quantized, type);
            var twin = twin(quantized, new Linear(37, 19, new SplittableRandom(32)));
            poison(quantized, name -> true);
            var x = Variable.of(Tensor.randn(new SplittableRandom(33), 4, 37));
            assertClose(quantized.forward(x).value(), twin.forward(x).value(), type + " linear");
        }
    }

    private static RecurrentConfig config(CellType cell, int proj, boolean resetBefore) {
        var config = RecurrentConfig.of(cell, 24, 40).withLayers(2);
        if (proj > 0) config = config.withProjSize(proj);
        if (resetBefore) config = config.withResetBefore();
        return config;
    }

    /** {@code twin} given {@code model}'s (dequantized) values, without their narrow form. */
    private static <M extends Module> M twin(Module model, M twin) {
        model.namedParameters().forEach((name, p) -> twin.namedParameters().get(name).value().copyFrom(p.value()));
        twin.namedParameters().values().forEach(p -> assertThat(p.value().quantized()).isNull());
        return twin;
    }

    /** Overwrites the float32 values of the chosen product weights with NaN, keeping their narrow form. */
    private static void poison(Module model, Predicate<String> which) {
        model.namedProductWeights().forEach((name, p) -> {
            assertThat(p.value().quantized()).as(name).isNotNull();
            if (which.test(name)) p.value().fill(Float.NaN);
        });
    }

    private static void assertClose(Tensor actual, Tensor expected, String what) {
        assertThat(actual.shape()).as(what).containsExactly(expected.shape());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.at(i)).as("%s, element %d", what, i).isCloseTo(expected.at(i), offset(1e-4f));
        }
    }
}
