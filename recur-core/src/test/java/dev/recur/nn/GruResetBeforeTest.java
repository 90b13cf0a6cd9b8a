package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.recur.autograd.GradCheck;
import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.autograd.Variable;
import dev.recur.kernel.Parallel;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The GRU with the reset gate before the recurrent product (RecurrentConfig.withResetBefore): finite-difference
 * checks of its backward pass, a reference loop in double precision (PyTorch has no such GRU), padding, stepping,
 * the cell and the configuration.
 */
class GruResetBeforeTest {
    private static final Tolerance TOLERANCE = Tolerance.relative(1e-2).absolute(1e-3);
    private static final int T = 4, B = 3, F = 3, H = 3;

    static List<Arguments> modes() {
        var all = new ArrayList<Arguments>();
        for (int layers = 1; layers <= 2; layers++)
            for (int dirs = 1; dirs <= 2; dirs++)
                for (boolean bias : new boolean[] {true, false})
                    for (boolean variable : new boolean[] {false, true})
                        all.add(Arguments.of(layers, dirs, bias, variable));
        return all;
    }

    @ParameterizedTest(name = "layers={0} directions={1} bias={2} variableLengths={3}")
    @MethodSource("modes")
    void stackMatchesFiniteDifferences(int layers, int dirs, boolean bias, boolean variable) {
        var rng = new SplittableRandom(21);
        var gru = new Gru(RecurrentConfig.gru(F, H).withResetBefore().withLayers(layers).withDirections(dirs).withBias(bias), rng);
        var lengths = variable ? Lengths.of(2, 4, 1) : null;
        var x = Variable.parameter(Tensor.randn(rng, T, B, F));
        var h0 = Variable.parameter(Tensor.randn(rng, layers * dirs, B, H));
        GradCheck.of(() -> {
            var out = gru.forward(x, lengths, new RecurrentState(h0, null));
            return Concat.of(out.output(), out.h());
        }).withRespectTo("input", x).withRespectTo("h0", h0).withRespectTo(gru.namedParameters()).assertMatches(TOLERANCE);
    }

    @Test
    void batchFirstStackFromZeroStateMatchesFiniteDifferences() {
        var rng = new SplittableRandom(22);
        var gru = new Gru(RecurrentConfig.gru(F, 5).withResetBefore().withBatchFirst().withDirections(2), rng);
        var x = Variable.parameter(Tensor.randn(rng, B, T, F));
        GradCheck.of(() -> {
            var out = gru.forward(x, Lengths.of(3, 4, 1), null);
            return Concat.of(out.output(), out.h());
        }).withRespectTo("input", x).withRespectTo(gru.namedParameters()).assertMatches(TOLERANCE);
    }

    @Test
    void cellMatchesFiniteDifferences() {
        var rng = new SplittableRandom(23);
        var cell = new GruCell(RecurrentConfig.gru(F, H).withResetBefore(), rng);
        var x = Variable.parameter(Tensor.randn(rng, B, F));
        var h = Variable.parameter(Tensor.randn(rng, B, H));
        GradCheck.of(() -> cell.forward(x, new RecurrentState(h, null)).h())
                .withRespectTo("input", x).withRespectTo("h", h).withRespectTo(cell.namedParameters()).assertMatches(TOLERANCE);
    }

    static List<Arguments> referenceModes() {
        return List.of(
                Arguments.of(2, 2, true, new int[] {3, 5, 1, 4}, true),
                Arguments.of(2, 1, false, new int[] {5, 2, 5, 3}, true),
                Arguments.of(1, 2, true, new int[] {1}, false),
                Arguments.of(1, 1, true, new int[] {5, 5}, false));
    }

    @ParameterizedTest(name = "layers={0} directions={1} bias={2} lengths={3} h0={4}")
    @MethodSource("referenceModes")
    void matchesAPlainLoopInDoublePrecision(int layers, int dirs, boolean bias, int[] lengths, boolean givenState) {
        var rng = new SplittableRandom(24);
        int steps = 5, batch = lengths.length, h = 9;   // 9: a partial vector after one or none
        var gru = new Gru(RecurrentConfig.gru(4, h).withResetBefore().withLayers(layers).withDirections(dirs).withBias(bias), rng);
        var x = Tensor.randn(rng, steps, batch, 4);
        var h0 = givenState ? Tensor.randn(rng, layers * dirs, batch, h) : Tensor.zeros(layers * dirs, batch, h);
        var out = gru.forward(Variable.of(x), Lengths.of(lengths), givenState ? RecurrentState.of(h0) : null);
        var ref = new ReferenceGru(gru);
        double[][][] hN = new double[layers * dirs][][];
        double[][][] y = ref.forward(x, lengths, h0, hN);
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < dirs * h; j++)
                    assertThat(out.output().value().get(t, b, j)).as("output[%d, %d, %d]", t, b, j).isCloseTo((float) y[t][b][j], offset(2e-5f));
        for (int s = 0; s < layers * dirs; s++)
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < h; j++)
                    assertThat(out.h().value().get(s, b, j)).as("h_n[%d, %d, %d]", s, b, j).isCloseTo((float) hN[s][b][j], offset(2e-5f));
    }

    @Test
    void cellMatchesThePlainLoop() {
        var rng = new SplittableRandom(25);
        var cell = new GruCell(RecurrentConfig.gru(4, 6).withResetBefore(), rng);
        var x = Tensor.randn(rng, 2, 4);
        var h = Tensor.randn(rng, 2, 6);
        var p = cell.namedParameters();
        var next = cell.forward(Variable.of(x), RecurrentState.of(h)).h().value();
        for (int b = 0; b < 2; b++) {
            double[] expected = ReferenceGru.step(row(x, b), row(h, b), p.get("weight_ih").value(), p.get("weight_hh").value(),
                    p.get("bias_ih").value(), p.get("bias_hh").value());
            for (int j = 0; j < 6; j++) assertThat(next.get(b, j)).isCloseTo((float) expected[j], offset(2e-5f));
        }
    }

    @Test
    void differsFromPyTorchsGruWithTheSameWeights() {
        var rng = new SplittableRandom(26);
        var before = new Gru(RecurrentConfig.gru(3, 4).withResetBefore(), rng);
        var after = new Gru(RecurrentConfig.gru(3, 4), rng);
        after.loadStateDict(before.stateDict());
        var x = Variable.of(Tensor.randn(rng, 3, 2, 3));
        var h0 = RecurrentState.of(Tensor.randn(rng, 1, 2, 4));
        float[] a = before.forward(x, h0).h().value().toArray(), b = after.forward(x, h0).h().value().toArray();
        double diff = 0;
        for (int i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
        assertThat(diff).isGreaterThan(1e-3);
    }

    /** Values in the padded steps of the input change neither outputs, final states nor any gradient. */
    @Test
    void paddingNeverChangesAResult() {
        var rng = new SplittableRandom(27);
        var gru = new Gru(RecurrentConfig.gru(3, 5).withResetBefore().withLayers(2).withDirections(2), rng);
        int[] lengths = {4, 2, 6, 1};
        var x = Tensor.randn(rng, 6, 4, 3);
        var noisy = x.copy();
        for (int t = 0; t < 6; t++)
            for (int b = 0; b < 4; b++)
                if (t >= lengths[b]) for (int f = 0; f < 3; f++) noisy.set(1e3f * (float) rng.nextGaussian(), t, b, f);
        var weights = Tensor.randn(rng, 6, 4, 10);
        List<Tensor> clean = forwardAndBackward(gru, x, weights, lengths), padded = forwardAndBackward(gru, noisy, weights, lengths);
        for (int i = 0; i < clean.size(); i++) assertThat(padded.get(i).toArray()).containsExactly(clean.get(i).toArray());
        for (int t = 0; t < 6; t++)
            for (int b = 0; b < 4; b++)
                if (t >= lengths[b]) assertThat(clean.get(0).select(t).select(b).toArray()).containsOnly(0f);
    }

    @Test
    void eachSequenceInAPaddedBatchMatchesRunningItAlone() {
        var rng = new SplittableRandom(28);
        var gru = new Gru(RecurrentConfig.gru(3, 5).withResetBefore().withLayers(2).withDirections(2), rng);
        int[] lengths = {3, 5, 1, 4};
        var x = Tensor.randn(rng, 6, 4, 3);
        var batch = gru.forward(Variable.of(x), Lengths.of(lengths), null);
        for (int b = 0; b < lengths.length; b++) {
            var alone = Tensor.zeros(lengths[b], 1, 3);
            for (int t = 0; t < lengths[b]; t++) alone.select(t).select(0).copyFrom(x.select(t).select(b));
            var single = gru.forward(Variable.of(alone));
            for (int t = 0; t < lengths[b]; t++) assertClose(batch.output().value().select(t).select(b), single.output().value().select(t).select(0));
            for (int s = 0; s < 4; s++) assertClose(batch.h().value().select(s).select(b), single.h().value().select(s).select(0));
        }
    }

    @Test
    void stepsAndTheStepperEqualOneForwardPass() {
        var rng = new SplittableRandom(29);
        var gru = new Gru(RecurrentConfig.gru(3, 5).withResetBefore().withLayers(2), rng);
        var x = Tensor.randn(rng, 6, 2, 3);
        var h0 = Tensor.randn(rng, 2, 2, 5);
        var whole = gru.forward(Variable.of(x), RecurrentState.of(h0));
        Stepper stepper = gru.stepper();
        RecurrentState a = RecurrentState.of(h0), s = RecurrentState.of(h0);
        for (int t = 0; t < 6; t++) {
            var byModule = gru.step(x.select(t), a);
            var byStepper = stepper.step(x.select(t), s);
            assertClose(byModule.output().value(), whole.output().value().select(t));
            assertClose(byStepper.output().value(), whole.output().value().select(t));
            a = byModule.state();
            s = byStepper.state();
        }
        assertClose(a.h().value(), whole.h().value());
        assertClose(s.h().value(), whole.h().value());
        assertClose(gru.stepper().step(x.select(0), null).output().value(), gru.forward(Variable.of(x.slice(0, 1))).output().value().select(0));
    }

    @Test
    void cellStepEqualsAOneStepLayerWithTheSameWeights() {
        var rng = new SplittableRandom(30);
        var config = RecurrentConfig.gru(3, 4).withResetBefore();
        var cell = new GruCell(config, rng);
        var layer = new Gru(config, rng);
        var renamed = new LinkedHashMap<String, Tensor>();
        cell.namedParameters().forEach((n, p) -> renamed.put(n + "_l0", p.value()));
        layer.loadStateDict(renamed);
        var x = Tensor.randn(rng, 2, 3);
        var h = Tensor.randn(rng, 1, 2, 4);
        assertClose(cell.forward(Variable.of(x), RecurrentState.of(h.select(0))).h().value(), layer.step(x, RecurrentState.of(h)).h().value().select(0));
    }

    /** As RecurrentBehaviourTest's: runs of rows on two threads give what one thread gives, every gradient included. */
    @Test
    void stepsSplitOverThreadsMatchOneThread() {
        int threads = Parallel.threads();
        try {
            var rng = new SplittableRandom(31);
            var gru = new Gru(RecurrentConfig.gru(5, 128).withResetBefore().withLayers(2), rng);
            int[] lengths = new int[24];
            for (int b = 0; b < lengths.length; b++) lengths[b] = b == 5 ? 7 : 1 + rng.nextInt(7);
            var x = Tensor.randn(rng, 7, 24, 5);
            var weights = Tensor.randn(rng, 7, 24, 128);
            Parallel.setThreads(1);
            List<Tensor> one = forwardAndBackward(gru, x, weights, lengths);
            Parallel.setThreads(2);
            List<Tensor> two = forwardAndBackward(gru, x, weights, lengths);
            for (int i = 0; i < one.size(); i++) assertClose(two.get(i), one.get(i));
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void configurationNamesTheVariantAndRefusesItForOtherCells() {
        var config = RecurrentConfig.gru(3, 5).withResetBefore().withLayers(2);
        assertThat(config.resetAfter()).isFalse();
        assertThat(RecurrentConfig.gru(3, 5).resetAfter()).isTrue();
        assertThat(config.describe()).isEqualTo("Gru[reset-before](3 -> 5, layers=2)");
        assertThat(new GruCell(RecurrentConfig.gru(3, 5).withResetBefore(), new SplittableRandom(1)).toString())
                .isEqualTo("Gru[reset-before]Cell(3 -> 5)");
        assertThatThrownBy(() -> RecurrentConfig.lstm(3, 5).withResetBefore()).isInstanceOf(InvalidOptionException.class)
                .hasMessage("resetAfter=false (reset before) is for a GRU only; this is LSTM");
        assertThat(new Gru(config, new SplittableRandom(2)).namedParameters().keySet()).containsExactly(
                "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1");
    }

    /** Output, h_n, the input's gradient and every parameter's, of Σ weights ⊙ output + Σ h_n. */
    private static List<Tensor> forwardAndBackward(Recurrent layer, Tensor x, Tensor weights, int[] lengths) {
        layer.parameters().forEach(Variable::zeroGrad);
        var input = Variable.parameter(x.copy());
        var out = layer.forward(input, Lengths.of(lengths), null);
        out.output().mul(Variable.of(weights)).sum().add(out.h().sum()).backward();
        var all = new ArrayList<>(List.of(out.output().value(), out.h().value()));
        // The input's gradient at padded steps is zero; compare only what the valid steps give.
        var dx = input.grad().copy();
        for (int t = 0; t < x.dim(0); t++) for (int b = 0; b < lengths.length; b++) if (t >= lengths[b]) dx.select(t).select(b).fill(0f);
        all.add(dx);
        layer.parameters().forEach(p -> all.add(p.grad().copy()));
        return all;
    }

    private static double[] row(Tensor t, int b) {
        double[] r = new double[t.dim(1)];
        for (int j = 0; j < r.length; j++) r[j] = t.get(b, j);
        return r;
    }

    private static void assertClose(Tensor actual, Tensor expected) {
        assertThat(actual.shape()).containsExactly(expected.shape());
        for (int i = 0; i < expected.size(); i++) {
            float tolerance = 1e-5f * Math.max(1f, Math.abs(expected.at(i)));
            assertThat(actual.at(i)).as("element %d", i).isCloseTo(expected.at(i), offset(tolerance));
        }
    }

    /**
     * The reset-before GRU one unit at a time in double precision, from the module's parameters:
     * r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise, n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn),
     * h' = (1 − z) n + z h; each sequence runs within its own length, the reverse direction from its last step.
     */
    private record ReferenceGru(Map<String, Variable> p, RecurrentConfig c) {
        ReferenceGru(Gru gru) {
            this(gru.namedParameters(), gru.config());
        }

        /** Outputs [T][B][D·H] (zero past each length); fills hN [L·D][B][H]. */
        double[][][] forward(Tensor x, int[] lengths, Tensor h0, double[][][] hN) {
            int steps = x.dim(0), batch = lengths.length, h = c.hiddenSize(), dirs = c.directions();
            double[][][] in = new double[steps][batch][];
            for (int t = 0; t < steps; t++) for (int b = 0; b < batch; b++) in[t][b] = row(x.select(t), b);
            for (int k = 0; k < c.numLayers(); k++) {
                double[][][] out = new double[steps][batch][dirs * h];
                for (int d = 0; d < dirs; d++) {
                    String s = "_l" + k + (d == 1 ? "_reverse" : "");
                    Tensor wih = p.get("weight_ih" + s).value(), whh = p.get("weight_hh" + s).value();
                    Tensor bih = c.bias() ? p.get("bias_ih" + s).value() : null, bhh = c.bias() ? p.get("bias_hh" + s).value() : null;
                    int slot = k * dirs + d;
                    hN[slot] = new double[batch][];
                    for (int b = 0; b < batch; b++) {
                        double[] state = row(h0.select(slot), b);
                        for (int i = 0; i < lengths[b]; i++) {
                            int t = d == 0 ? i : lengths[b] - 1 - i;
                            state = step(in[t][b], state, wih, whh, bih, bhh);
                            System.arraycopy(state, 0, out[t][b], d * h, h);
                        }
                        hN[slot][b] = state;
                    }
                }
                in = out;
            }
            return in;
        }

        static double[] step(double[] x, double[] h, Tensor wih, Tensor whh, Tensor bih, Tensor bhh) {
            int n = h.length;
            double[] r = new double[n], z = new double[n], next = new double[n];
            for (int j = 0; j < n; j++) {
                r[j] = sigmoid(affine(wih, bih, j, x) + affine(whh, bhh, j, h));
                z[j] = sigmoid(affine(wih, bih, n + j, x) + affine(whh, bhh, n + j, h));
            }
            double[] rh = new double[n];
            for (int j = 0; j < n; j++) rh[j] = r[j] * h[j];
            for (int j = 0; j < n; j++) {
                double nj = Math.tanh(affine(wih, bih, 2 * n + j, x) + affine(whh, bhh, 2 * n + j, rh));
                next[j] = (1 - z[j]) * nj + z[j] * h[j];
            }
            return next;
        }

        /** Row i of w times v, plus bias[i] (none when bias is null). */
        private static double affine(Tensor w, Tensor bias, int i, double[] v) {
            double s = bias == null ? 0 : bias.at(i);
            for (int j = 0; j < v.length; j++) s += (double) w.get(i, j) * v[j];
            return s;
        }

        private static double sigmoid(double a) {
            return 1 / (1 + Math.exp(-a));
        }
    }
}
