package dev.recur.task;

import dev.recur.data.Tokenizer;
import dev.recur.nn.CellType;

/**
 * A language model's hyperparameters; stored in the model file as recur.config with the vocabulary.
 *
 * @param tokens  CHAR or WORD
 * @param cell    lstm, gru or rnn
 * @param embed   embedding size, e.g. 64
 * @param hidden  hidden size of every recurrent layer, e.g. 512
 * @param layers  stacked recurrent layers, e.g. 2
 * @param dropout on the embeddings, between layers and before the decoder, in [0, 1), e.g. 0.2
 */
public record LanguageModelConfig(Tokenizer tokens, CellType cell, int embed, int hidden, int layers, float dropout) {

    public LanguageModelConfig {
        if (tokens == null || cell == null) throw new IllegalArgumentException("tokens and cell must be given");
        if (embed <= 0) throw new IllegalArgumentException("embed must be positive, got " + embed);
        if (hidden <= 0) throw new IllegalArgumentException("hidden must be positive, got " + hidden);
        if (layers <= 0) throw new IllegalArgumentException("layers must be positive, got " + layers);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }

    public String describe() {
        return String.format("%s-level %s, embed %d, hidden %d × %d layers, dropout %s",
                tokens.name().toLowerCase(), cell.name().toLowerCase(), embed, hidden, layers, dropout);
    }
}
