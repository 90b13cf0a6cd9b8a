package dev.recur.autograd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NoGradTest {

    @Test
    void noOperationRecordsInsideNoGrad() {
        var rng = new SplittableRandom(71);
        var x = Variable.parameter(Tensor.uniform(rng, 0.5f, 2f, 2, 3, 4));
        var w = Variable.parameter(Tensor.randn(rng, 4, 4));
        var gamma = Variable.parameter(Tensor.randn(rng, 4));
        var table = Variable.parameter(Tensor.randn(rng, 5, 4));
        Tape.clear();
        List<Variable> results = new ArrayList<>();
        try (var off = Tape.noGrad()) {
            results.add(x.matmul(w));
            results.add(x.add(gamma));
            results.add(x.sub(gamma));
            results.add(x.mul(gamma));
            results.add(x.div(gamma));
            results.add(x.add(1f).sub(1f).mul(2f).div(2f).neg());
            results.add(x.sum());
            results.add(x.mean());
            results.add(x.sum(1));
            results.add(x.mean(-1));
            results.add(x.sigmoid());
            results.add(x.tanh());
            results.add(x.relu());
            results.add(x.exp());
            results.add(x.log());
            results.add(x.softmax());
            results.add(x.logSoftmax());
            results.add(x.crossEntropy(new int[] {0, 1, 2, 3, -100, 0}));
            results.add(x.mse(x.exp()));
            results.add(Functional.embedding(table, new int[] {1, 4}));
            results.add(Functional.concat(0, x, x));
            results.addAll(x.split(1, 1, 2));
            results.add(x.slice(2, 1, 3));
            results.add(x.reshape(6, 4));
            results.add(x.dropout(0.5f, rng, true));
            results.add(Functional.layerNorm(x, gamma, gamma, 1e-5f));
            assertThat(Tape.size()).isZero();
        }
        assertThat(results).noneMatch(Variable::requiresGrad);
        assertThat(x.sigmoid().requiresGrad()).isTrue();
        assertThat(Tape.size()).isEqualTo(1);
        Tape.clear();
    }

    @Test
    void aScopeClosedOnAnotherThreadEndsOnTheThreadThatOpenedIt() throws InterruptedException {
        var off = Tape.noGrad();
        var other = new Thread(off::close);
        other.start();
        other.join();
        assertThat(Tape.recording()).isTrue();
    }
}
