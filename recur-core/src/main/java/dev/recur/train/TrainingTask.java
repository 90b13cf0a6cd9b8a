package dev.recur.train;

import dev.recur.nn.Module;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.Map;

/** What a {@link Trainer} trains: a model, its training batches and its validation metric. */
public interface TrainingTask {

    Module model();

    /**
     * Forward and backward on training batch {@code index} (counted from 0 across epochs; the task wraps it
     * around its data); the parameters' gradients hold d loss / d θ afterwards. Randomness (dropout) comes from
     * {@code rng} only, so a resumed run repeats it exactly.
     */
    Batch trainBatch(long index, Rng rng);

    /** The validation loss, lower is better, computed without recording on the tape. */
    double validate();

    /** Batches in one pass over the training data. */
    long batchesPerEpoch();

    /** What a resumed run needs beyond the parameters (e.g. recurrent state carried between batches). */
    default Map<String, Tensor> state() {
        return Map.of();
    }

    default void restore(Map<String, Tensor> state) {}

    /** Strings stored in every checkpoint's metadata, e.g. the model's configuration under "recur.config". */
    default Map<String, String> metadata() {
        return Map.of();
    }

    /** A batch's mean loss and its size in the task's unit (tokens, sequences), for throughput. */
    record Batch(double loss, long items) {}
}
