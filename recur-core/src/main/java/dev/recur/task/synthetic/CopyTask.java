package dev.recur.task.synthetic;

import dev.recur.autograd.Variable;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;

/**
 * The copy memory task as Arjovsky, Shah and Bengio (2016) set it: remember S = 10 symbols over a delay of T steps.
 * The alphabet has 8 symbols (1..8), a blank (0) and a delimiter (9). A sequence has T + 2S steps:
 * <pre>
 * input   a1 .. a10  0 0 .. 0  9  0 .. 0          S symbols, T − 1 blanks, the delimiter, S blanks
 * target   0 ..  0   0 0 .. 0  0  a1 .. a10       T + S blanks, then the S symbols
 *         |--- S ---|-- T − 1 --|1|--- S ---|
 * </pre>
 * The model reads one-hot inputs [T + 2S, B, 10] and predicts one of 9 classes (blank or a symbol) at every step;
 * the loss is the mean cross-entropy over all steps, as in the paper. The metric is the accuracy over the S recalled
 * steps only: 1/8 by chance, and a model that outputs blanks and then guesses scores a loss of
 * S·ln 8 / (T + 2S). T is {@link SyntheticTaskConfig#length()}.
 * <p>
 * Target [T + 2S, B]: class ids as floats.
 */
public final class CopyTask extends SyntheticTask {
    /** S: the symbols to remember. */
    public static final int SYMBOLS = 10;
    /** The alphabet: 8 symbols, numbered 1..8. */
    public static final int ALPHABET = 8;
    static final int BLANK = 0, DELIMITER = ALPHABET + 1;
    private static final int CLASSES = ALPHABET + 1, FEATURES = ALPHABET + 2;

    public CopyTask(SyntheticTaskConfig config) {
        super(config, FEATURES, CLASSES);
    }

    @Override
    public String name() {
        return "copy";
    }

    @Override
    public String metricName() {
        return "test accuracy";
    }

    /** Guessing the recalled symbols: 1/8. */
    @Override
    public double baseline() {
        return 1.0 / ALPHABET;
    }

    @Override
    public boolean higherIsBetter() {
        return true;
    }

    @Override
    public int steps() {
        return config().length() + 2 * SYMBOLS;
    }

    /** The cross-entropy of outputting blanks until the delimiter, then guessing uniformly. */
    public double memorylessLoss() {
        return SYMBOLS * Math.log(ALPHABET) / steps();
    }

    @Override
    public Example sample(Rng rng, int batch) {
        int steps = steps(), recall = steps - SYMBOLS;
        Tensor input = Tensor.zeros(steps, batch, FEATURES), target = Tensor.zeros(steps, batch);
        for (int b = 0; b < batch; b++) {
            for (int t = SYMBOLS; t < steps; t++) input.set(1f, t, b, t == recall - 1 ? DELIMITER : BLANK);
            for (int i = 0; i < SYMBOLS; i++) {
                int symbol = 1 + rng.nextInt(ALPHABET);
                input.set(1f, i, b, symbol);
                target.set(symbol, recall + i, b);
            }
        }
        return new Example(input, target);
    }

    @Override
    Example rows(Example e, int[] rows) {
        return e.rows(rows, 1);
    }

    /** The cross-entropy's mean over every step of every sequence (blanks included). */
    @Override
    long lossTerms(int sequences) {
        return (long) steps() * sequences;
    }

    @Override
    Outcome run(Example e) {
        int steps = steps(), batch = e.batch();
        Variable logits = model().forward(Variable.of(e.input()));   // [T + 2S, B, 9]
        int[] targets = new int[steps * batch];
        for (int i = 0; i < targets.length; i++) targets[i] = (int) e.target().at(i);
        Variable loss = logits.reshape(steps * batch, CLASSES).crossEntropy(targets);
        return new Outcome(loss, recallAccuracy(logits.value(), targets, batch));
    }

    /** The fraction of the S recalled steps whose largest logit is the right symbol. */
    private double recallAccuracy(Tensor logits, int[] targets, int batch) {
        int steps = steps(), right = 0;
        for (int t = steps - SYMBOLS; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int row = t * batch + b, best = 0;
                for (int c = 1; c < CLASSES; c++) if (logits.at(row * CLASSES + c) > logits.at(row * CLASSES + best)) best = c;
                if (best == targets[row]) right++;
            }
        }
        return right / (double) (SYMBOLS * batch);
    }
}
