package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.Transpose;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The recorded ‖∂L/∂h_t‖ against gradients computed independently, by an unrolled chain of autograd operations. */
class StateGradientsTest {
    private static final int T = 6, B = 3, F = 2, H = 4;

    @Test
    void recordedNormsMatchAnUnrolledAutogradChain() {
        var rng = new SplittableRandom(3);
        var rnn = Recurrent.of(RecurrentConfig.rnn(F, H), rng);
        Tensor x = Tensor.randn(rng, T, B, F), r = Tensor.randn(rng, B, H);

        rnn.recordStateGradients(true);
        var out = rnn.forward(Variable.of(x)).output();
        out.slice(0, T - 1, T).reshape(B, H).mul(Variable.of(r)).sum().backward();
        double[] recorded = rnn.stateGradients().norms(0, Direction.FORWARD);

        // h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh), each state a Variable of its own.
        var p = rnn.namedParameters();
        var states = new ArrayList<Variable>();
        Variable h = Variable.of(Tensor.zeros(B, H));
        for (int t = 0; t < T; t++) {
            Variable xt = Variable.of(x.select(t).copy());
            h = xt.matmul(p.get("weight_ih_l0"), Transpose.NONE, Transpose.TRANSPOSED).add(p.get("bias_ih_l0"))
                    .add(h.matmul(p.get("weight_hh_l0"), Transpose.NONE, Transpose.TRANSPOSED)).add(p.get("bias_hh_l0")).tanh();
            states.add(h);
        }
        h.mul(Variable.of(r)).sum().backward();

        assertThat(recorded[T - 1]).isCloseTo(norm(r), within(1e-5));   // ∂L/∂h_T = R
        for (int t = 0; t < T; t++) {
            double expected = norm(states.get(t).grad());
            assertThat(recorded[t]).as("step %d", t).isCloseTo(expected, within(1e-5 + 1e-4 * expected));
        }
        assertThat(recorded[0]).isLessThan(recorded[T - 1]);
    }

    @Test
    void everyLayerAndDirectionIsRecordedAndTheTopLastStepGetsItsOutputGradient() {
        var rng = new SplittableRandom(4);
        for (CellType cell : CellType.values()) {
            var stack = Recurrent.of(RecurrentConfig.of(cell, F, H).withLayers(2).withDirections(2), rng);
            stack.recordStateGradients(true);
            var out = stack.forward(Variable.of(Tensor.randn(rng, T, B, F))).output();   // [T, B, 2H]
            Tensor r = Tensor.randn(rng, T, B, 2 * H);
            out.mul(Variable.of(r)).sum().backward();

            StateGradients g = stack.stateGradients();
            assertThat(g.layers()).isEqualTo(2);
            assertThat(g.steps()).isEqualTo(T);
            // The top layer's forward direction leaves step T−1 with its output's gradient only: the first half of R_{T−1}.
            assertThat(g.top()[T - 1]).as("%s", cell).isCloseTo(normOfColumns(r.select(T - 1), 0, H), within(1e-4));
            for (int layer = 0; layer < 2; layer++)
                for (Direction d : Direction.values())
                    assertThat(java.util.Arrays.stream(g.norms(layer, d))).as("%s layer %d %s", cell, layer, d).allMatch(n -> n > 0);
        }
    }

    @Test
    void nothingIsRecordedUnlessAsked() {
        var rng = new SplittableRandom(5);
        var lstm = Recurrent.of(RecurrentConfig.lstm(F, H), rng);
        lstm.forward(Variable.parameter(Tensor.randn(rng, T, B, F))).output().sum().backward();
        assertThat(lstm.stateGradients()).isNull();

        lstm.recordStateGradients(true);
        lstm.forward(Variable.parameter(Tensor.randn(rng, T, B, F))).output().sum().backward();
        assertThat(lstm.stateGradients()).isNotNull();
        lstm.recordStateGradients(false);
        assertThat(lstm.stateGradients()).isNull();
    }

    private static double normOfColumns(Tensor m, int from, int to) {
        double sq = 0;
        for (int b = 0; b < m.dim(0); b++) for (int j = from; j < to; j++) sq += (double) m.get(b, j) * m.get(b, j);
        return Math.sqrt(sq);
    }

    private static double norm(Tensor t) {
        double sq = 0;
        for (int i = 0; i < t.size(); i++) sq += (double) t.at(i) * t.at(i);
        return Math.sqrt(sq);
    }
}
