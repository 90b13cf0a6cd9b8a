package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.kernel.Parallel;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecurrentBehaviourTest {
    private static final float EPS = 1e-5f;

    private static RecurrentConfig config(CellType cell) {
        var c = RecurrentConfig.of(cell, 3, 5).withLayers(2);
        return cell == CellType.LSTM ? c.withProjSize(4) : c;
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void stepByStepEqualsOneForwardPass(CellType cell) {
        var rng = new SplittableRandom(1);
        var layer = Recurrent.of(config(cell), rng);
        var x = Tensor.randn(rng, 6, 2, 3);
        var whole = layer.forward(Variable.of(x));
        RecurrentState state = null;
        for (int t = 0; t < 6; t++) {
            var out = layer.step(x.select(t), state);
            assertClose(out.output().value(), whole.output().value().select(t));
            state = out.state();
        }
        assertClose(state.h().value(), whole.h().value());
        if (cell == CellType.LSTM) assertClose(state.c().value(), whole.c().value());
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void eachSequenceInAPaddedBatchMatchesRunningItAlone(CellType cell) {
        var rng = new SplittableRandom(2);
        var layer = Recurrent.of(config(cell).withDirections(2), rng);
        int[] lengths = {3, 5, 1, 4};   // none fills all 6 steps
        var x = Tensor.randn(rng, 6, 4, 3);
        var batch = layer.forward(Variable.of(x), Lengths.of(lengths), null);
        for (int b = 0; b < lengths.length; b++) {
            var alone = Tensor.zeros(lengths[b], 1, 3);
            for (int t = 0; t < lengths[b]; t++) alone.select(t).select(0).copyFrom(x.select(t).select(b));
            var single = layer.forward(Variable.of(alone));
            for (int t = 0; t < 6; t++) {
                var expected = t < lengths[b] ? single.output().value().select(t).select(0)
                        : Tensor.zeros(layer.config().directions() * layer.config().outputSize());
                assertClose(batch.output().value().select(t).select(b), expected);
            }
            for (int s = 0; s < 4; s++) {
                assertClose(batch.h().value().select(s).select(b), single.h().value().select(s).select(0));
                if (cell == CellType.LSTM) assertClose(batch.c().value().select(s).select(b), single.c().value().select(s).select(0));
            }
        }
    }

    @Test
    void paddedStepsKeepStateAndOutputZeros() {
        var rng = new SplittableRandom(3);
        var lstm = new Lstm(RecurrentConfig.lstm(3, 4), rng);
        var x = Tensor.randn(rng, 5, 2, 3);
        var out = lstm.forward(Variable.of(x), Lengths.of(5, 2), null);
        var shortOnly = lstm.forward(Variable.of(x.slice(0, 2)));
        for (int t = 2; t < 5; t++) assertThat(out.output().value().select(t).select(1).toArray()).containsOnly(0f);
        assertClose(out.h().value().select(0).select(1), shortOnly.h().value().select(0).select(1));
        assertClose(out.c().value().select(0).select(1), shortOnly.c().value().select(0).select(1));
    }

    @Test
    void chunksCarryingStateEqualOneLongSequence() {
        var rng = new SplittableRandom(4);
        var gru = new Gru(RecurrentConfig.gru(3, 4).withLayers(2), rng);
        var x = Tensor.randn(rng, 6, 2, 3);
        var whole = gru.forward(Variable.of(x));
        var first = gru.forward(Variable.of(x.slice(0, 4)));
        var second = gru.forward(Variable.of(x.slice(4, 6)), first.state());
        assertClose(second.output().value(), whole.output().value().slice(4, 6));
        assertClose(second.h().value(), whole.h().value());
    }

    @Test
    void detachedStateStopsGradientsAtTheChunkBoundary() {
        var rng = new SplittableRandom(5);
        var lstm = new Lstm(RecurrentConfig.lstm(3, 4), rng);
        var x1 = Variable.parameter(Tensor.randn(rng, 3, 2, 3));
        var x2 = Variable.parameter(Tensor.randn(rng, 3, 2, 3));
        Tape.clear();
        var first = lstm.forward(x1);
        lstm.forward(x2, first.state().detach()).output().sum().backward();
        assertThat(x1.grad()).isNull();
        assertThat(x2.grad()).isNotNull();

        var second = lstm.forward(x2, lstm.forward(x1).state());
        second.output().sum().backward();
        assertThat(x1.grad()).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void cellStepEqualsAOneStepLayerWithTheSameWeights(CellType type) {
        var rng = new SplittableRandom(6);
        var config = RecurrentConfig.of(type, 3, 4);
        RecurrentCell cell = switch (type) {
            case RNN -> new RnnCell(config, rng);
            case LSTM -> new LstmCell(config, rng);
            case GRU -> new GruCell(config, rng);
        };
        assertThat(cell.namedParameters().keySet()).containsExactly("weight_ih", "weight_hh", "bias_ih", "bias_hh");
        var layer = Recurrent.of(config, rng);
        var renamed = new LinkedHashMap<String, Tensor>();
        cell.namedParameters().forEach((n, p) -> renamed.put(n + "_l0", p.value()));
        layer.loadStateDict(renamed);
        var x = Tensor.randn(rng, 2, 3);
        var h = Tensor.randn(rng, 1, 2, 4);
        var state = type == CellType.LSTM ? RecurrentState.of(h, Tensor.randn(rng, 1, 2, 4)) : RecurrentState.of(h);
        var expected = layer.step(x, state).state();
        var actual = cell.forward(Variable.of(x), type == CellType.LSTM
                ? RecurrentState.of(state.h().value().select(0), state.c().value().select(0)) : RecurrentState.of(state.h().value().select(0)));
        assertClose(actual.h().value(), expected.h().value().select(0));
        if (type == CellType.LSTM) assertClose(actual.c().value(), expected.c().value().select(0));
    }

    @Test
    void batchFirstIsTheTransposeOfTimeMajor() {
        var lstm = new Lstm(RecurrentConfig.lstm(3, 4).withDirections(2), new SplittableRandom(7));
        var batchFirst = new Lstm(RecurrentConfig.lstm(3, 4).withDirections(2).withBatchFirst(), new SplittableRandom(7));
        var x = Tensor.randn(new SplittableRandom(8), 5, 2, 3);
        var xb = Tensor.zeros(2, 5, 3);
        for (int t = 0; t < 5; t++) for (int b = 0; b < 2; b++) xb.select(b).select(t).copyFrom(x.select(t).select(b));
        var a = lstm.forward(Variable.of(x), Lengths.of(5, 3), null);
        var b = batchFirst.forward(Variable.of(xb), Lengths.of(5, 3), null);
        assertThat(b.output().shape()).containsExactly(2, 5, 8);
        for (int t = 0; t < 5; t++) for (int i = 0; i < 2; i++) assertClose(b.output().value().select(i).select(t), a.output().value().select(t).select(i));
        assertClose(b.h().value(), a.h().value());
    }

    @Test
    void parametersHavePyTorchNamesShapesAndOrder() {
        var lstm = new Lstm(RecurrentConfig.lstm(3, 5).withLayers(2).withDirections(2).withProjSize(2), new SplittableRandom(9));
        var names = lstm.namedParameters();
        assertThat(names.keySet()).startsWith("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0",
                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse", "weight_hr_l0_reverse",
                "weight_ih_l1").hasSize(20);
        assertThat(names.get("weight_ih_l1").shape()).containsExactly(20, 4);
        assertThat(names.get("weight_hh_l1_reverse").shape()).containsExactly(20, 2);
        assertThat(names.get("weight_hr_l0").shape()).containsExactly(2, 5);
        assertThat(lstm.toString()).isEqualTo("Lstm(3 -> 5, layers=2, bidirectional, proj=2)");
    }

    @Test
    void everyParameterStartsInsideTheUniformBound() {
        var gru = new Gru(RecurrentConfig.gru(3, 16).withLayers(2).withDirections(2), new SplittableRandom(10));
        float bound = 0.25f;
        for (var p : gru.parameters()) for (float v : p.value().toArray()) assertThat(Math.abs(v)).isLessThanOrEqualTo(bound);
    }

    @Test
    void orthogonalInitGivesOrthonormalGateBlocksAndUnitForgetBias() {
        var lstm = new Lstm(RecurrentConfig.lstm(3, 4).withRecurrentInit(RecurrentInit.ORTHOGONAL).withUnitForgetBias(), new SplittableRandom(11));
        var whh = lstm.namedParameters().get("weight_hh_l0").value();
        for (int g = 0; g < 4; g++) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    float dot = 0;
                    for (int k = 0; k < 4; k++) dot += whh.get(g * 4 + i, k) * whh.get(g * 4 + j, k);
                    assertThat(dot).isCloseTo(i == j ? 1f : 0f, offset(1e-5f));
                }
            }
        }
        var bih = lstm.namedParameters().get("bias_ih_l0").value();
        var bhh = lstm.namedParameters().get("bias_hh_l0").value();
        for (int j = 4; j < 8; j++) assertThat(bih.get(j) + bhh.get(j)).isEqualTo(1f);
    }

    @Test
    void dropoutActsBetweenLayersOnlyWhileTraining() {
        var config = RecurrentConfig.lstm(3, 4).withLayers(2).withDropout(0.5f);
        var withDropout = new Lstm(config, new SplittableRandom(12));
        var without = new Lstm(config.withDropout(0f), new SplittableRandom(12));
        var x = Variable.of(Tensor.randn(new SplittableRandom(13), 4, 2, 3));
        withDropout.train(false);
        assertClose(withDropout.forward(x).output().value(), without.forward(x).output().value());
        withDropout.train(true);
        assertThat(withDropout.forward(x).output().value().toArray()).isNotEqualTo(without.forward(x).output().value().toArray());
    }

    @Test
    void badInputNamesTheLayerAndTheShapes() {
        var lstm = new Lstm(RecurrentConfig.lstm(3, 5), new SplittableRandom(14));
        assertThatThrownBy(() -> lstm.forward(Variable.of(Tensor.zeros(12, 4, 7))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Lstm(3 -> 5): input has 7 features (shape [12, 4, 7]); expected 3");
        assertThatThrownBy(() -> lstm.forward(Variable.of(Tensor.zeros(4, 2, 3)), Lengths.of(5, 2), null))
                .hasMessageContaining("length 5").hasMessageContaining("4 steps");
        assertThatThrownBy(() -> lstm.forward(Variable.of(Tensor.zeros(4, 2, 3)), RecurrentState.of(Tensor.zeros(1, 2, 5))))
                .hasMessageContaining("c0");
        var bi = new Gru(RecurrentConfig.gru(3, 5).withDirections(2), new SplittableRandom(15));
        assertThatThrownBy(() -> bi.step(Tensor.zeros(2, 3), null)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> RecurrentConfig.gru(3, 5).withProjSize(2)).hasMessageContaining("projSize is for an LSTM only");
        assertThatThrownBy(() -> Lengths.of(3, 0)).hasMessageContaining("lengths[1] is 0");
    }

    /**
     * Rows split over two threads (each run going through every step, product and cell on its own rows) give what one
     * thread gives: outputs, final state and every gradient, with unsorted lengths that end at different steps.
     */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void stepsSplitOverThreadsMatchOneThread(CellType cell) {
        int threads = Parallel.threads();
        try {
            var rng = new SplittableRandom(8);
            var config = RecurrentConfig.of(cell, 5, 128).withLayers(2);
            var layer = Recurrent.of(cell == CellType.LSTM ? config.withProjSize(64) : config, rng);
            int[] lengths = new int[24];
            for (int b = 0; b < lengths.length; b++) lengths[b] = b == 5 ? 7 : 1 + rng.nextInt(7);
            var x = Tensor.randn(rng, 7, 24, 5);
            var weights = Tensor.randn(rng, 7, 24, layer.config().outputSize());
            List<Tensor> one = forwardAndBackward(layer, x, weights, lengths, 1);
            List<Tensor> two = forwardAndBackward(layer, x, weights, lengths, 2);
            for (int i = 0; i < one.size(); i++) assertClose(two.get(i), one.get(i));
        } finally {
            Parallel.setThreads(threads);
        }
    }

    /** Output, h_n, the input's gradient and every parameter's, of Σ weights ⊙ output + Σ h_n on {@code threads}. */
    private static List<Tensor> forwardAndBackward(Recurrent layer, Tensor x, Tensor weights, int[] lengths, int threads) {
        Parallel.setThreads(threads);
        layer.parameters().forEach(Variable::zeroGrad);
        var input = Variable.parameter(x.copy());
        var out = layer.forward(input, Lengths.of(lengths), null);
        out.output().mul(Variable.of(weights)).sum().add(out.h().sum()).backward();
        var all = new ArrayList<>(List.of(out.output().value(), out.h().value(), input.grad()));
        layer.parameters().forEach(p -> all.add(p.grad().copy()));
        return all;
    }

    private static void assertClose(Tensor actual, Tensor expected) {
        assertThat(actual.shape()).containsExactly(expected.shape());
        for (int i = 0; i < expected.size(); i++) {
            // Relative for large values: sums over the batch (the bias gradients) are added in another order.
            float tolerance = EPS * Math.max(1f, Math.abs(expected.at(i)));
            assertThat(actual.at(i)).as("element %d", i).isCloseTo(expected.at(i), offset(tolerance));
        }
    }
}
