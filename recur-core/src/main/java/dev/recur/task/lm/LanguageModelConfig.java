package dev.recur.task.lm;

import static dev.recur.tensor.InvalidOptionException.check;

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
        check(tokens != null && cell != null, "tokens and cell must be given");
        check(embed > 0, "embed must be positive, got %d", embed);
        check(hidden > 0, "hidden must be positive, got %d", hidden);
        check(layers > 0, "layers must be positive, got %d", layers);
        check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got %s", dropout);
    }

    /**
     * Dropout for a training text of {@code trainTokens} tokens: 0.2 below 2M (a text read many times), 0.1 below
     * 8M, else 0.
     */
    public static float autoDropout(long trainTokens) {
        return trainTokens < 2_000_000 ? 0.2f : trainTokens < 8_000_000 ? 0.1f : 0f;
    }

    public String describe() {
        return String.format("%s-level %s, embed %d, hidden %d × %d layers, dropout %s",
                tokens.name().toLowerCase(), cell.name().toLowerCase(), embed, hidden, layers, dropout);
    }
}
