package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.recur.kernel.Parallel;
import dev.recur.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class StepperTest {
    private static final int THREADS = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(THREADS);
    }

    /** Hidden sizes that fill whole panels and ones that do not; one to three threads; batch 1 and 3. */
    @ParameterizedTest
    @CsvSource({"64, 2, 1, 1, true", "20, 2, 2, 3, true", "5, 1, 3, 1, false", "48, 3, 2, 2, true", "9, 2, 1, 4, false"})
    void theFusedLstmStepMatchesTheModulesStep(int hidden, int layers, int threads, int batch, boolean bias) {
        Parallel.setThreads(threads);
        var rng = new SplittableRandom(hidden + layers);
        var lstm = Recurrent.of(RecurrentConfig.lstm(7, hidden).withLayers(layers).withBias(bias), rng);
        assertStepsAgree(lstm, lstm.stepper(), rng, batch);
    }

    /**
     * With int8 or bf16 weights the fused step reads the narrow panels (int8: input and recurrent weights apart, each
     * column scaled once) and computes the model of the dequantized weights, as the module's own step does (row by row,
     * reading the stored form; {@link QuantizedLayersTest}).
     */
    @ParameterizedTest
    @CsvSource({"int8, 64, 2, 2, 1", "int8, 20, 2, 1, 3", "int8, 9, 1, 2, 2", "bf16, 64, 2, 2, 1", "bf16, 20, 2, 1, 3"})
    void theFusedStepOfQuantizedWeightsMatchesTheModulesStep(String dtype, int hidden, int layers, int threads, int batch) {
        Parallel.setThreads(threads);
        var rng = new SplittableRandom(hidden + layers + dtype.length());
        var lstm = Recurrent.of(RecurrentConfig.lstm(7, hidden).withLayers(layers), rng);
        dev.recur.io.Quantization.quantize(lstm, dev.recur.tensor.QuantizedWeights.Type.of(dtype));
        assertThat(lstm.namedParameters().get("weight_hh_l0").value().quantized()).isNotNull();
        assertStepsAgree(lstm, lstm.stepper(), rng, batch);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void otherCellsAndProjectionsStepOnCopiedWeights(CellType cell) {
        var rng = new SplittableRandom(3);
        var config = RecurrentConfig.of(cell, 4, 6).withLayers(2);
        var layer = Recurrent.of(cell == CellType.LSTM ? config.withProjSize(3) : config, rng);
        assertStepsAgree(layer, layer.stepper(), rng, 2);
    }

    @Test
    void aStepperKeepsTheWeightsItWasMadeWith() {
        var rng = new SplittableRandom(4);
        var lstm = Recurrent.of(RecurrentConfig.lstm(3, 16), rng);
        var x = Tensor.randn(rng, 1, 3);
        Stepper stepper = lstm.stepper();
        Tensor before = lstm.step(x, null).output().value().copy();
        lstm.namedParameters().get("weight_hh_l0").value().fill(0.5f);
        lstm.namedParameters().get("bias_ih_l0").value().fill(0.5f);
        Tensor after = lstm.step(x, null).output().value();
        assertThat(after.at(0)).as("the module sees the change").isNotCloseTo(before.at(0), offset(1e-3f));
        Tensor stepped = stepper.step(x, null).output().value();
        for (int i = 0; i < before.size(); i++) assertThat(stepped.at(i)).isCloseTo(before.at(i), offset(1e-5f));
    }

    @Test
    void badInputIsNamed() {
        var rng = new SplittableRandom(5);
        var lstm = Recurrent.of(RecurrentConfig.lstm(3, 8).withLayers(2), rng);
        assertThatThrownBy(() -> lstm.stepper().step(Tensor.zeros(1, 4), null)).hasMessageContaining("[1, 4]").hasMessageContaining("expected [B, 3]");
        assertThatThrownBy(() -> lstm.stepper().step(Tensor.zeros(2, 3), lstm.zeroState(1))).hasMessageContaining("h0 has shape [2, 1, 8]");
        var bi = Recurrent.of(RecurrentConfig.lstm(3, 8).withDirections(2), rng);
        assertThatThrownBy(bi::stepper).isInstanceOf(IllegalStateException.class).hasMessageContaining("unidirectional");
    }

    /** Eight steps from a zero state, then from a random one, each compared with {@link Recurrent#step}. */
    private static void assertStepsAgree(Recurrent layer, Stepper stepper, SplittableRandom rng, int batch) {
        for (boolean fromZero : new boolean[] {true, false}) {
            RecurrentState expected = null;
            if (!fromZero) {
                var zero = layer.zeroState(batch);
                expected = zero.c() == null ? RecurrentState.of(Tensor.randn(rng, zero.h().value().shape()))
                        : RecurrentState.of(Tensor.randn(rng, zero.h().value().shape()), Tensor.randn(rng, zero.c().value().shape()));
            }
            RecurrentState actual = expected;
            for (int t = 0; t < 8; t++) {
                var x = Tensor.randn(rng, batch, layer.config().inputSize());
                var want = layer.step(x, expected);
                var got = stepper.step(x, actual);
                assertClose(got.output().value(), want.output().value(), "output at step " + t);
                assertClose(got.state().h().value(), want.state().h().value(), "h at step " + t);
                if (want.state().c() != null) assertClose(got.state().c().value(), want.state().c().value(), "c at step " + t);
                expected = want.state();
                actual = got.state();
            }
        }
    }

    private static void assertClose(Tensor actual, Tensor expected, String what) {
        assertThat(actual.shape()).as(what).containsExactly(expected.shape());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.at(i)).as("%s, element %d", what, i).isCloseTo(expected.at(i), offset(2e-5f));
        }
    }
}
