package dev.recur.task.classify;

import static dev.recur.tensor.InvalidOptionException.check;

import dev.recur.nn.Pooling;
import dev.recur.task.text.EncoderConfig;

/**
 * A text classifier's hyperparameters; stored in the model file with its vocabularies and labels.
 *
 * @param encoder   the shared text encoder, e.g. a word BiLSTM 1×128
 * @param pooling   how the encoder's outputs become one vector: LAST, MEAN, MAX or ATTENTION (additive attention)
 * @param attention the size of the attention's hidden layer, with ATTENTION, e.g. 64
 * @param maxTokens longer texts are cut to their first this many tokens, e.g. 400
 */
public record ClassifierConfig(EncoderConfig encoder, Pooling pooling, int attention, int maxTokens) {

    public ClassifierConfig {
        check(encoder != null && pooling != null, "encoder and pooling must be given");
        check(pooling != Pooling.ATTENTION || attention > 0, "attention must be positive with attention pooling, got %d", attention);
        check(maxTokens > 0, "max-tokens must be positive, got %d", maxTokens);
    }

    public String describe() {
        return encoder.describe() + ", " + pooling.name().toLowerCase(java.util.Locale.ROOT) + " pooling" + (pooling == Pooling.ATTENTION ? " (" + attention + ")" : "");
    }
}
