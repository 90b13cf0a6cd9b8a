package dev.recur.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.nn.Module;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link Trainer} trains: a model, its training batches and its validation metrics. Every task (language
 * model, classifier, tagger, ...) implements it once; the trainer, {@link TrainingRecipe}, checkpoints and
 * distributed training use nothing else.
 */
public interface TrainingTask {

    Module model();

    /** The model's configuration, stored as recur.config in the model file and checkpoint; names its task under "type". */
    ObjectNode modelConfig();

    /**
     * Forward and backward on training batch {@code index} (counted from 0 across epochs; the task wraps it
     * around its data); the parameters' gradients hold d loss / d θ afterwards. The task owns its randomness
     * (dropout, sampling) and returns its generator's state from {@link #state()}, so a resumed run repeats it.
     */
    Batch trainBatch(long index);

    /** Validation metrics, computed without recording on the tape. */
    Metrics validate();

    /** Metrics on the held-out test data, when the task has any. */
    default Optional<Metrics> test() {
        return Optional.empty();
    }

    /**
     * The loss of a uniform guess (ln V for a choice among V classes), or NaN when the task has none; the
     * divergence guard treats a loss far above it as blown up.
     */
    default double chanceLoss() {
        return Double.NaN;
    }

    /** Batches in one pass over the training data. */
    long batchesPerEpoch();

    /** The generator the task's randomness (dropout, sampling) draws from, or null; {@link #state()} saves it as "rng". */
    default Rng rng() {
        return null;
    }

    /** What a resumed run needs beyond the parameters (e.g. recurrent state carried between batches); by default {@link #rng()}'s state. */
    default Map<String, Tensor> state() {
        Rng rng = rng();
        return rng == null ? Map.of() : Map.of("rng", rng.stateTensor());
    }

    default void restore(Map<String, Tensor> state) {
        Rng rng = rng();
        if (rng != null && state.containsKey("rng")) rng.restore(state.get("rng"));
    }

    /** A batch's mean loss and its size in the task's unit (tokens, sequences), for throughput. */
    record Batch(double loss, long items) {}
}
