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

    /**
     * Part {@code part} of {@code parts} of training batch {@code index}, for data-parallel training: the parts of a
     * batch are disjoint and together make the batch, and the gradients left are those of the part's own mean loss,
     * so that Σ weight_k · grad_k / Σ weight_k over the parts is the gradient of {@link #trainBatch(long)}
     * ({@link Batch#weight()} is the loss's denominator). A part may be empty: weight 0 and no gradient. The task's
     * state between calls ({@link #state()}) is the part's: a caller that trains several parts with one task restores
     * each part's state before its call. One part of one is {@link #trainBatch(long)}; tasks that cannot split refuse.
     */
    default Batch trainBatch(long index, int part, int parts) {
        if (parts < 1 || part < 0 || part >= parts) throw new IllegalArgumentException("part " + part + " of " + parts);
        if (parts == 1) return trainBatch(index);
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot split its batches");
    }

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

    /**
     * A batch's mean loss, its size in the task's unit (tokens, sequences) for throughput, and the denominator of the
     * mean (examples, tokens, summed class weights: what the loss averages over), for combining parts of a batch.
     */
    record Batch(double loss, long items, double weight) {
        /** A loss averaged over its {@code items}. */
        public Batch(double loss, long items) {
            this(loss, items, items);
        }
    }
}
