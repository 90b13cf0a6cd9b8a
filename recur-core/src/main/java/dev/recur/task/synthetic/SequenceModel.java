package dev.recur.task.synthetic;

import dev.recur.autograd.Variable;
import dev.recur.nn.Linear;
import dev.recur.nn.Module;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentOutput;
import java.util.random.RandomGenerator;

/**
 * A recurrent stack with a linear head on its outputs, the model of the synthetic tasks: input [T, B, F] →
 * outputs [T, B, D·P] → head → [T, B, O]. Parameters as PyTorch's {@code rnn.*} and {@code head.weight},
 * {@code head.bias}.
 * <pre>
 * var model = new SequenceModel(RecurrentConfig.lstm(2, 64), 1, rng);   // Lstm(2 -> 64), Linear(64 -> 1)
 * Variable y = model.forwardLast(x);                                     // [T, B, 2] → [B, 1]
 * </pre>
 */
public final class SequenceModel extends Module {
    private final Recurrent rnn;
    private final Linear head;

    public SequenceModel(RecurrentConfig config, int outputs, RandomGenerator rng) {
        this.rnn = register("rnn", Recurrent.of(config, rng));
        this.head = register("head", new Linear(config.directions() * config.outputSize(), outputs, rng));
    }

    /** The recurrent stack, e.g. to record its gradient flow. */
    public Recurrent recurrent() {
        return rnn;
    }

    /** Every step: [T, B, F] → [T, B, O]. */
    public Variable forward(Variable input) {
        return head.forward(rnn.forward(input).output());
    }

    /** The last step only: [T, B, F] → [B, O]. */
    public Variable forwardLast(Variable input) {
        RecurrentOutput out = rnn.forward(input);
        int[] shape = out.output().shape();
        return head.forward(out.output().slice(0, shape[0] - 1, shape[0]).reshape(shape[1], shape[2]));
    }

    @Override
    public String toString() {
        return rnn + " + " + head;
    }
}
