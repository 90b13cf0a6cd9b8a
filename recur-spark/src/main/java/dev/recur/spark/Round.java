package dev.recur.spark;

import dev.recur.optim.GradClip;
import dev.recur.optim.Optimizer;
import dev.recur.optim.OptimizerType;
import dev.recur.train.TrainingTask;
import java.io.Serializable;

/** What a worker is given and gives back for one round of local steps. */
final class Round {
    private Round() {}

    /**
     * Part {@code part} of {@code parts} trains local steps {@code first}, {@code first + 1}, ... at the rates
     * {@code lrs} (one per step) with its own {@code optimizer}, starting from the round's weights; {@code
     * optimizerState} (average mode) is the averaged optimizer state to start from, null for a fresh optimizer
     * (federated averaging); {@code optimizerSteps} its step count.
     */
    record In(long first, float[] lrs, int part, int parts, Tensors state, OptimizerType optimizer, double clip,
              long optimizerSteps) implements Serializable {}

    /** The part's weights and optimizer state after the round, the examples it trained on (the loss's denominators summed), its mean loss. */
    record Out(int part, float[] weights, float[][] optimizerState, double weight, double weightedLoss, long items, Tensors state,
               long nanos) implements Serializable {}

    /** Runs one round of a part on {@code task}'s model, with {@code optimizer} bound to its parameters. */
    static Out run(TrainingTask task, Optimizer optimizer, float[][] optimizerState, In in) {
        long started = System.nanoTime();
        var params = task.model().parameters();
        float[][] buffers = optimizer.stateBuffers();
        for (int i = 0; i < buffers.length; i++) {
            if (optimizerState == null) java.util.Arrays.fill(buffers[i], 0f);
            else System.arraycopy(optimizerState[i], 0, buffers[i], 0, buffers[i].length);
        }
        optimizer.restoreSteps(optimizerState == null ? 0 : in.optimizerSteps());
        double weight = 0, weightedLoss = 0;
        long items = 0;
        for (int i = 0; i < in.lrs().length; i++) {
            optimizer.zeroGrad();
            optimizer.setLr(in.lrs()[i]);
            TrainingTask.Batch batch = task.trainBatch(in.first() + i, in.part(), in.parts());
            if (batch.weight() == 0) continue;
            if (in.clip() > 0) GradClip.byNorm(params, in.clip());
            optimizer.step();
            weight += batch.weight();
            weightedLoss += batch.weight() * batch.loss();
            items += batch.items();
        }
        float[][] state = null;
        if (optimizerState != null) {
            state = new float[buffers.length][];
            for (int i = 0; i < buffers.length; i++) state[i] = buffers[i].clone();
        }
        return new Out(in.part(), Flat.values(params), state, weight, weightedLoss, items, Tensors.of(task.state()),
                System.nanoTime() - started);
    }
}
