package dev.recur.nn;

import dev.recur.autograd.TapeNode;
import dev.recur.autograd.Variable;
import dev.recur.kernel.Mat;
import dev.recur.kernel.Parallel;
import java.util.List;

/**
 * Both directions of one bidirectional layer as a single node on the tape, so their backward passes run at once,
 * one per thread (as their forward passes do). Each writes its own weights' gradients and its own slot of h0 and
 * c0; the input's gradient, which both add to, is accumulated afterwards, one direction after the other.
 */
final class BidirectionalOp implements TapeNode {
    private final SequenceOp forward, reverse;

    BidirectionalOp(SequenceOp forward, SequenceOp reverse) {
        this.forward = forward;
        this.reverse = reverse;
    }

    @Override
    public Variable output() {
        return forward.output();
    }

    @Override
    public List<Variable> outputs() {
        return forward.outputs();
    }

    @Override
    public void backward() {
        forward.prepareGradients();
        var dGates = new Mat[2];
        Parallel.forEach(2, d -> dGates[d] = (d == 0 ? forward : reverse).backwardThroughTime());
        forward.backwardInput(dGates[0]);
        reverse.backwardInput(dGates[1]);
    }
}
