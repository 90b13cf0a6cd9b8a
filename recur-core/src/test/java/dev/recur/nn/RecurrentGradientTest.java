package dev.recur.nn;

import dev.recur.autograd.GradCheck;
import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Finite-difference checks of the fused backward passes, through output, h_n and c_n at once. */
class RecurrentGradientTest {
    private static final Tolerance TOLERANCE = Tolerance.relative(1e-2).absolute(1e-3);
    private static final int T = 4, B = 3, F = 3, H = 3;

    static List<Arguments> modes() {
        var all = new ArrayList<Arguments>();
        for (CellType cell : CellType.values())
            for (int layers = 1; layers <= 2; layers++)
                for (int dirs = 1; dirs <= 2; dirs++)
                    for (boolean bias : new boolean[] {true, false})
                        for (boolean variable : new boolean[] {false, true})
                            all.add(Arguments.of(cell, layers, dirs, bias, variable));
        return all;
    }

    @ParameterizedTest(name = "{0} layers={1} directions={2} bias={3} variableLengths={4}")
    @MethodSource("modes")
    void stackMatchesFiniteDifferences(CellType cell, int layers, int dirs, boolean bias, boolean variable) {
        var config = RecurrentConfig.of(cell, F, H).withLayers(layers).withDirections(dirs).withBias(bias);
        check(config, variable ? Lengths.of(2, 4, 1) : null, 11);
    }

    @Test
    void projectedBidirectionalLstmStackMatchesFiniteDifferences() {
        check(RecurrentConfig.lstm(F, H).withProjSize(2).withLayers(2).withDirections(2), Lengths.of(2, 4, 1), 12);
    }

    @Test
    void gradientsArriveThroughTheFinalStateAlone() {
        var rng = new SplittableRandom(16);
        var lstm = new Lstm(RecurrentConfig.lstm(F, H).withLayers(2).withDirections(2), rng);
        var x = Variable.parameter(Tensor.randn(rng, T, B, F));
        GradCheck.of(() -> lstm.forward(x, Lengths.of(3, 1, 4), null).h())
                .withRespectTo("input", x).withRespectTo(lstm.namedParameters()).assertMatches(TOLERANCE);
        GradCheck.of(() -> lstm.forward(x, Lengths.of(3, 1, 4), null).c())
                .withRespectTo("input", x).withRespectTo(lstm.namedParameters()).assertMatches(TOLERANCE);
    }

    @Test
    void singleStepSingleSequenceFromZeroStateMatchesFiniteDifferences() {
        var rng = new SplittableRandom(17);
        for (CellType cell : CellType.values()) {
            var layer = Recurrent.of(RecurrentConfig.of(cell, F, 5).withDirections(2), rng);
            var x = Variable.parameter(Tensor.randn(rng, 1, 1, F));
            GradCheck.of(() -> {
                var out = layer.forward(x);
                return Concat.of(out.output(), out.h(), out.c());
            }).withRespectTo("input", x).withRespectTo(layer.namedParameters()).assertMatches(TOLERANCE);
        }
    }

    @Test
    void stackWithDropoutBetweenLayersMatchesFiniteDifferences() {
        var rng = new dev.recur.tensor.Rng(18);
        var layer = new Lstm(RecurrentConfig.lstm(F, H).withLayers(2).withDropout(0.4f), rng);
        long start = rng.state();   // replayed before every forward, so each draws the same masks
        var x = Variable.parameter(Tensor.randn(new SplittableRandom(18), T, B, F));
        GradCheck.of(() -> {
            rng.restore(start);
            var out = layer.forward(x);
            return Concat.of(out.output(), out.h(), out.c());
        }).withRespectTo("input", x).withRespectTo(layer.namedParameters()).assertMatches(TOLERANCE);
    }

    @Test
    void reluRnnMatchesFiniteDifferences() {
        check(RecurrentConfig.rnn(F, H).withNonlinearity(Nonlinearity.RELU).withLayers(2), Lengths.of(4, 1, 3), 13);
    }

    @Test
    void batchFirstGruMatchesFiniteDifferences() {
        var rng = new SplittableRandom(14);
        var gru = new Gru(RecurrentConfig.gru(F, H).withBatchFirst().withDirections(2), rng);
        var x = Variable.parameter(Tensor.randn(rng, B, T, F));
        GradCheck.of(() -> {
            var out = gru.forward(x, Lengths.of(3, 4, 1), null);
            return Concat.of(out.output(), out.h());
        }).withRespectTo("input", x).withRespectTo(gru.namedParameters()).assertMatches(TOLERANCE);
    }

    @Test
    void cellsMatchFiniteDifferences() {
        var rng = new SplittableRandom(15);
        for (CellType type : CellType.values()) {
            RecurrentConfig config = RecurrentConfig.of(type, F, H);
            RecurrentCell cell = switch (type) {
                case RNN -> new RnnCell(config, rng);
                case LSTM -> new LstmCell(config, rng);
                case GRU -> new GruCell(config, rng);
            };
            var x = Variable.parameter(Tensor.randn(rng, B, F));
            var h = Variable.parameter(Tensor.randn(rng, B, H));
            var c = type == CellType.LSTM ? Variable.parameter(Tensor.randn(rng, B, H)) : null;
            var check = GradCheck.of(() -> {
                var s = cell.forward(x, new RecurrentState(h, c));
                return Concat.of(s.h(), s.c());
            }).withRespectTo("input", x).withRespectTo("h", h).withRespectTo(cell.namedParameters());
            if (c != null) check.withRespectTo("c", c);
            check.assertMatches(TOLERANCE);
        }
    }

    private static void check(RecurrentConfig config, Lengths lengths, long seed) {
        var rng = new SplittableRandom(seed);
        var layer = Recurrent.of(config, rng);
        int n = config.numLayers() * config.directions();
        var x = Variable.parameter(Tensor.randn(rng, T, B, F));
        var h0 = Variable.parameter(Tensor.randn(rng, n, B, config.outputSize()));
        var c0 = config.cell() == CellType.LSTM ? Variable.parameter(Tensor.randn(rng, n, B, H)) : null;
        var check = GradCheck.of(() -> {
            var out = layer.forward(x, lengths, new RecurrentState(h0, c0));
            return Concat.of(out.output(), out.h(), out.c());
        }).withRespectTo("input", x).withRespectTo("h0", h0).withRespectTo(layer.namedParameters());
        if (c0 != null) check.withRespectTo("c0", c0);
        check.assertMatches(TOLERANCE);
    }
}
