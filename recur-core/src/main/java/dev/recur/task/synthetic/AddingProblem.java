package dev.recur.task.synthetic;

import dev.recur.autograd.Variable;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;

/**
 * The adding problem (Hochreiter and Schmidhuber 1997, in the form of Le, Jaitly and Hinton 2015): each of the T
 * steps carries a value drawn from U(0, 1) and a marker; exactly two markers are 1, one at a uniformly drawn step
 * of the first half (t &lt; T/2) and one of the second (t ≥ T/2). The target is the sum of the two marked values,
 * read from the model's output at the last step; the loss is the mean squared error. Predicting the constant 1
 * scores Var(U + U) = 1/6 ≈ 0.167, so a model has learned something only below that.
 * <p>
 * Input [T, B, 2]: channel 0 the values, channel 1 the markers. Target [B, 1].
 */
public final class AddingProblem extends SyntheticTask {
    /** The test MSE of predicting 1 whatever the input: the variance of the sum of two U(0, 1). */
    public static final double CONSTANT_MSE = 1.0 / 6;

    public AddingProblem(SyntheticTaskConfig config) {
        super(config, 2, 1);
    }

    @Override
    public String name() {
        return "adding";
    }

    @Override
    public String metricName() {
        return "test MSE";
    }

    @Override
    public double baseline() {
        return CONSTANT_MSE;
    }

    @Override
    public boolean higherIsBetter() {
        return false;
    }

    @Override
    public int steps() {
        return config().length();
    }

    @Override
    public Example sample(Rng rng, int batch) {
        int steps = steps(), half = steps / 2;
        Tensor input = Tensor.zeros(steps, batch, 2), target = Tensor.zeros(batch, 1);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) input.set(rng.nextFloat(), t, b, 0);
            int first = rng.nextInt(half), second = half + rng.nextInt(steps - half);
            input.set(1f, first, b, 1);
            input.set(1f, second, b, 1);
            target.set(input.get(first, b, 0) + input.get(second, b, 0), b, 0);
        }
        return new Example(input, target);
    }

    /** Targets [B, 1]: sequence b's is row b. */
    @Override
    Example rows(Example e, int[] rows) {
        return e.rows(rows, 0);
    }

    /** The mean squared error over the sequences' sums. */
    @Override
    long lossTerms(int sequences) {
        return sequences;
    }

    @Override
    Outcome run(Example e) {
        Variable loss = model().forwardLast(Variable.of(e.input())).mse(Variable.of(e.target()));
        return new Outcome(loss, loss.value().item());
    }
}
