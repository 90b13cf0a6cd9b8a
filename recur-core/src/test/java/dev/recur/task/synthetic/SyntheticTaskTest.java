package dev.recur.task.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recur.nn.CellType;
import dev.recur.nn.Direction;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import dev.recur.train.GradientNorms;
import dev.recur.train.TrainerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticTaskTest {

    @Test
    void addingProblemHasOneMarkerInEachHalfAndTargetsTheirSum() {
        var task = new AddingProblem(SyntheticTaskConfig.of(CellType.RNN, 4, 11, 1));
        var e = task.sample(new Rng(1), 50);
        Tensor x = e.input();
        assertThat(x.shape()).containsExactly(11, 50, 2);
        assertThat(e.target().shape()).containsExactly(50, 1);
        for (int b = 0; b < 50; b++) {
            int inFirst = 0, inSecond = 0;
            double sum = 0;
            for (int t = 0; t < 11; t++) {
                assertThat(x.get(t, b, 0)).isBetween(0f, 1f);
                float marker = x.get(t, b, 1);
                assertThat(marker).isIn(0f, 1f);
                if (marker == 1f) {
                    if (t < 5) inFirst++;
                    else inSecond++;
                    sum += x.get(t, b, 0);
                }
            }
            assertThat(inFirst).as("markers in the first half of sequence %d", b).isEqualTo(1);
            assertThat(inSecond).as("markers in the second half of sequence %d", b).isEqualTo(1);
            assertThat(e.target().get(b, 0)).isCloseTo((float) sum, within(1e-6f));
        }
    }

    @Test
    void predictingOneScoresAboutOneSixthOnTheAddingProblem() {
        var e = new AddingProblem(SyntheticTaskConfig.of(CellType.RNN, 4, 20, 1)).sample(new Rng(2), 20000);
        double sq = 0;
        for (int b = 0; b < 20000; b++) sq += Math.pow(e.target().get(b, 0) - 1, 2);
        assertThat(sq / 20000).isCloseTo(AddingProblem.CONSTANT_MSE, within(0.005));
    }

    @Test
    void copyTaskShowsTenSymbolsThenTheDelimiterAndAsksForThemBack() {
        int delay = 7, steps = delay + 20;
        var task = new CopyTask(SyntheticTaskConfig.of(CellType.GRU, 4, delay, 1));
        assertThat(task.steps()).isEqualTo(steps);
        var e = task.sample(new Rng(3), 5);
        assertThat(e.input().shape()).containsExactly(steps, 5, 10);
        for (int b = 0; b < 5; b++) {
            for (int t = 0; t < steps; t++) {
                int symbol = oneHot(e.input(), t, b);
                int expected = t < 10 ? symbol : t == delay + 9 ? CopyTask.DELIMITER : CopyTask.BLANK;
                if (t < 10) assertThat(symbol).isBetween(1, 8);
                assertThat(symbol).as("input at step %d of sequence %d", t, b).isEqualTo(expected);
                float target = e.target().get(t, b);
                assertThat(target).as("target at step %d", t).isEqualTo(t < delay + 10 ? 0f : oneHot(e.input(), t - delay - 10, b));
            }
        }
    }

    /**
     * Batches of 5 sequences of both tasks, in 3 parts and in 7 (two empty): the parts, cut from the batch the
     * whole draws, combine to it weighted by their loss's terms.
     */
    @Test
    void partsOfABatchCombineToTheWholeBatch() {
        var config = SyntheticTaskConfig.of(CellType.GRU, 4, 6, 5);
        for (int parts : new int[] {3, 7}) {
            for (String name : new String[] {"adding", "copy"}) {
                double worst = dev.recur.train.PartsCheck.check(() -> SyntheticTask.of(name, config), 3, parts, 1e-5);
                assertThat(worst).as("%s in %d parts", name, parts).isLessThan(1e-5);
            }
        }
    }

    @Test
    void sameSeedSameBatchesAndTestSet() {
        var config = SyntheticTaskConfig.of(CellType.LSTM, 4, 10, 3).withTestSize(6);
        var a = new AddingProblem(config);
        var b = new AddingProblem(config);
        assertThat(a.evaluate()).isEqualTo(b.evaluate());
        assertThat(a.trainBatch(5).loss()).isEqualTo(b.trainBatch(5).loss());
    }

    @Test
    void lstmBeatsTheConstantPredictorOnShortAddingProblems() {
        var task = new AddingProblem(new SyntheticTaskConfig(CellType.LSTM, 16, 20, 32, 256, 1));
        double before = task.evaluate().metric();
        task.train(TrainerConfig.steps(300, 1e-2f).withClip(1.0), List.of());
        double after = task.evaluate().metric();
        assertThat(after).isLessThan(0.5 * AddingProblem.CONSTANT_MSE);
    }

    @Test
    void gradientFlowCoversEveryStep() {
        var task = new AddingProblem(SyntheticTaskConfig.of(CellType.RNN, 8, 30, 4).withTestSize(4));
        var flow = task.gradientFlow();
        double[] norms = flow.norms(0, Direction.FORWARD);
        assertThat(norms).hasSize(30);
        assertThat(norms[0]).isPositive().isLessThan(norms[29]);
        var parameterNorms = GradientNorms.of(task.model());
        assertThat(parameterNorms.keySet()).containsExactly("rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
                "head.weight", "head.bias");
        assertThat(parameterNorms.values()).allMatch(n -> n > 0);
    }

    private static int oneHot(Tensor x, int t, int b) {
        int hot = -1;
        for (int c = 0; c < x.dim(2); c++) {
            if (x.get(t, b, c) == 1f) {
                assertThat(hot).as("one-hot at step %d", t).isEqualTo(-1);
                hot = c;
            }
        }
        return hot;
    }
}
