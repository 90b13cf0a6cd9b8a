package dev.recur.task.synthetic;

import dev.recur.tensor.InvalidOptionException;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.nn.CellType;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.StateGradients;
import dev.recur.optim.Adam;
import dev.recur.optim.Schedule;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import dev.recur.train.Metrics;
import dev.recur.train.Parts;
import dev.recur.train.Trainer;
import dev.recur.train.TrainerConfig;
import dev.recur.train.TrainingListener;
import dev.recur.train.TrainingTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A synthetic long-range-memory task with a {@link SequenceModel} that learns it: every training step draws a fresh
 * batch, a function of the seed and the step index only (so every cell sees the same stream and a resumed run the
 * same batches); the test set is fixed by the seed. The LSTM starts with its forget gates' bias at 1 (Jozefowicz
 * et al. 2015; Keras's default); the RNN (tanh) and the GRU start as PyTorch's.
 * <pre>
 * var task = SyntheticTask.of("adding", SyntheticTaskConfig.of(CellType.LSTM, 64, 100, 32));
 * task.train(TrainerConfig.steps(2000, 1e-2f).withClip(1.0), List.of());
 * SyntheticTask.Evaluation test = task.evaluate();   // test MSE; a constant predictor scores ≈ 0.167
 * </pre>
 */
public abstract sealed class SyntheticTask implements TrainingTask permits AddingProblem, CopyTask {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private final SyntheticTaskConfig config;
    private final SequenceModel model;
    private List<Example> testSet;   // made on first use: subclasses are not constructed yet when this constructor runs

    SyntheticTask(SyntheticTaskConfig config, int features, int outputs) {
        this.config = config;
        RecurrentConfig rnn = RecurrentConfig.of(config.cell(), features, config.hidden());
        // The LSTM gets chrono initialisation for the task's span; RNN and GRU start as PyTorch's.
        this.model = new SequenceModel(config.cell() == CellType.LSTM ? rnn.withChronoInit(Math.max(2, config.length())) : rnn,
                outputs, new Rng(config.seed()));
    }

    /** "adding" ({@link AddingProblem}) or "copy" ({@link CopyTask}). */
    public static SyntheticTask of(String name, SyntheticTaskConfig config) {
        return switch (name) {
            case "adding" -> new AddingProblem(config);
            case "copy" -> new CopyTask(config);
            default -> throw new InvalidOptionException("unknown task \"" + name + "\"; expected adding or copy");
        };
    }

    /** A batch of inputs [T, B, F] and targets (the task says what shape and meaning). */
    public record Example(Tensor input, Tensor target) {
        public int batch() {
            return input.dim(1);
        }

        /** The sequences {@code rows} of this batch: their columns of the input [T, B, F] and of the target along {@code targetAxis}. */
        Example rows(int[] rows, int targetAxis) {
            return new Example(pick(input, 1, rows), pick(target, targetAxis, rows));
        }

        /** The entries {@code keep} of {@code t} along {@code axis}, in that order. */
        private static Tensor pick(Tensor t, int axis, int[] keep) {
            int[] shape = t.shape();
            int outer = Tensor.sizeOf(java.util.Arrays.copyOf(shape, axis)), n = shape[axis];
            int inner = Tensor.sizeOf(java.util.Arrays.copyOfRange(shape, axis + 1, shape.length));
            float[] from = t.data(), to = new float[outer * keep.length * inner];
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < keep.length; i++) {
                    System.arraycopy(from, t.offset() + (o * n + keep[i]) * inner, to, (o * keep.length + i) * inner, inner);
                }
            }
            shape[axis] = keep.length;
            return Tensor.of(to, shape);
        }
    }

    /** The test loss and the task's metric (MSE or accuracy) over the whole test set. */
    public record Evaluation(double loss, double metric) {}

    /** The loss of a batch, with the metric's mean over it. */
    record Outcome(Variable loss, double metric) {}

    /** "adding" or "copy". */
    public abstract String name();

    /** What {@link Evaluation#metric} measures, e.g. "test MSE". */
    public abstract String metricName();

    /** The metric of the best answer that ignores the input (a constant predictor, or chance). */
    public abstract double baseline();

    /** Whether a larger metric is better (accuracy) or a smaller one (MSE). */
    public abstract boolean higherIsBetter();

    /** A batch of {@code batch} sequences drawn from {@code rng}. */
    public abstract Example sample(Rng rng, int batch);

    /** Time steps of one sequence. */
    public abstract int steps();

    abstract Outcome run(Example example);

    /** The sequences {@code rows} of a batch {@link #sample} drew. */
    abstract Example rows(Example example, int[] rows);

    /** The denominator of the mean that is {@link #run}'s loss on {@code sequences} sequences. */
    abstract long lossTerms(int sequences);

    public SyntheticTaskConfig config() {
        return config;
    }

    @Override
    public SequenceModel model() {
        return model;
    }

    /** The task and its model's configuration; not a model file other commands open. */
    @Override
    public com.fasterxml.jackson.databind.node.ObjectNode modelConfig() {
        return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("type", "synthetic").put("task", name())
                .put("cell", config.cell().name().toLowerCase()).put("hidden", config.hidden()).put("length", config.length());
    }

    @Override
    public Batch trainBatch(long index) {
        return train(sample(new Rng(config.seed() * GAMMA + index), config.batch()));
    }

    /**
     * Part k of W: sequences k, k + W, ... of the batch ({@link Parts}), drawn whole as {@link #trainBatch(long)}
     * draws it and cut; its weight is its loss's terms ({@link #lossTerms}).
     */
    @Override
    public Batch trainBatch(long index, int part, int parts) {
        return Parts.train(java.util.stream.IntStream.range(0, config.batch()).toArray(), part, parts,
                rows -> train(rows(sample(new Rng(config.seed() * GAMMA + index), config.batch()), rows)));
    }

    private Batch train(Example example) {
        Outcome out = run(example);
        out.loss().backward();
        return new Batch(out.loss().value().item(), example.batch(), lossTerms(example.batch()));
    }

    @Override
    public Metrics validate() {
        Evaluation e = evaluate();
        return Metrics.lower("loss", e.loss()).with("metric", e.metric());
    }

    /** Fresh batches never repeat; an epoch is a nominal 1000 steps. */
    @Override
    public long batchesPerEpoch() {
        return 1000;
    }

    /** Loss and metric over the fixed test set, without recording. */
    public Evaluation evaluate() {
        double loss = 0, metric = 0;
        int count = 0;
        try (var off = Tape.noGrad()) {
            for (Example e : testSet()) {
                Outcome out = run(e);
                loss += out.loss().value().item() * e.batch();
                metric += out.metric() * e.batch();
                count += e.batch();
            }
        }
        return new Evaluation(loss / count, metric / count);
    }

    /** Trains with Adam at {@code config.lr()} and a constant rate; see {@link Trainer}. */
    public Trainer.Result train(TrainerConfig config, List<TrainingListener> listeners) {
        var trainer = new Trainer(this, new Adam(model.parameters(), config.lr()), Schedule.constant(), config, listeners);
        try {
            return trainer.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * ‖∂L/∂h_t‖ of the test loss on the first test batch, for every step; the parameters' gradients hold that
     * loss's gradient afterwards (for per-parameter norms).
     */
    public StateGradients gradientFlow() {
        Recurrent rnn = model.recurrent();
        model.zeroGrad();
        rnn.recordStateGradients(true);
        try {
            run(testSet().get(0)).loss().backward();
            return rnn.stateGradients();
        } finally {
            rnn.recordStateGradients(false);
        }
    }

    private List<Example> testSet() {
        if (testSet == null) {
            // Stream index −1: never a training batch.
            var rng = new Rng(config.seed() * GAMMA - 1);
            var all = new ArrayList<Example>();
            for (int done = 0; done < config.testSize(); done += config.batch()) {
                all.add(sample(rng, Math.min(config.batch(), config.testSize() - done)));
            }
            testSet = List.copyOf(all);
        }
        return testSet;
    }

    @Override
    public String toString() {
        return name() + "(length " + config.length() + ", " + model + ")";
    }
}
