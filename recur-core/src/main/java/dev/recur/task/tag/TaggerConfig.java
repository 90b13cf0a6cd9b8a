package dev.recur.task.tag;

import dev.recur.task.text.EncoderConfig;

/**
 * A tagger's hyperparameters: its encoder and its head; stored in the model file with the vocabularies and tags.
 *
 * @param encoder the shared text encoder, e.g. a word BiLSTM 1×128 with a character encoder
 * @param head    SOFTMAX (each token's tag on its own) or CRF (a linear-chain CRF over the sequence)
 */
public record TaggerConfig(EncoderConfig encoder, Head head) {

    /** How tags are chosen from the encoder's features. */
    public enum Head {
        /** A softmax per token, trained by cross-entropy. */
        SOFTMAX,
        /** A linear-chain CRF: transition scores learned, trained by the sequence's likelihood, decoded by Viterbi. */
        CRF
    }

    public TaggerConfig {
        if (encoder == null || head == null) throw new IllegalArgumentException("encoder and head must be given");
    }
}
