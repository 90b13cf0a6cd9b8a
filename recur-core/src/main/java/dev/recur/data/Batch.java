package dev.recur.data;

import dev.recur.nn.Lengths;
import dev.recur.tensor.Tensor;

/**
 * B examples padded to T steps, time-major: row b of the batch is example {@code indices[b]}, its step t at
 * {@code tokens[t·B + b]} and {@code features[t, b, :]}. Padding steps (t ≥ lengths[b]) hold the pad token, zero
 * features and {@link StreamBatches#IGNORE} tags, so {@code logits.crossEntropy(tags)} skips them. Made by
 * {@link Collator}.
 * <pre>
 * Batch batch = new Collator().collate(examples, new int[] {7, 2});   // rows: example 7, then example 2
 * var x = embedding.forward(batch.tokens(), batch.steps(), batch.size());          // [T, B, E]
 * var out = lstm.forward(x, batch.lengths(), null);
 * predictions[batch.indices()[b]] = ...;                               // row b back to its example
 * </pre>
 *
 * @param indices  [B] the example each row holds
 * @param lengths  [B] each row's number of steps
 * @param tokens   [T·B] token ids, or null when the examples have none
 * @param features [T, B, F], or null when the examples have none
 * @param labels   [B] each example's label ({@link StreamBatches#IGNORE} for one without)
 * @param tags     [T·B] each step's tag, or null when the examples have none
 */
public record Batch(int[] indices, Lengths lengths, int[] tokens, Tensor features, int[] labels, int[] tags) {

    /** B, the number of examples. */
    public int size() {
        return indices.length;
    }

    /** T, the longest length. */
    public int steps() {
        return lengths.max();
    }
}
