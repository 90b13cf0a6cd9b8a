package dev.recur.task.text;

import static dev.recur.tensor.InvalidOptionException.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.data.Tokenizer;
import dev.recur.nn.CellType;
import java.util.Locale;

/**
 * The shared text encoder's hyperparameters (classifier and tagger); stored in the model file. Field names match
 * the command-line options ({@code charHidden} ↔ {@code --char-hidden}).
 *
 * @param tokens     WORD (a word vocabulary) or CHAR (characters are the tokens)
 * @param embed      token embedding size, e.g. 100
 * @param charEmbed  character embedding of the per-word character encoder, e.g. 25; 0 = no character encoder
 * @param charHidden hidden size per direction of the character BiLSTM, e.g. 25 (its two final states join the embedding)
 * @param cell       LSTM, GRU or RNN
 * @param hidden     hidden size per direction of the recurrent stack, e.g. 256
 * @param layers     stacked recurrent layers, e.g. 1
 * @param directions 2 for bidirectional, 1 for forward only
 * @param dropout    on the encoder's input, between layers and on its output, in [0, 1), e.g. 0.3
 * @param lowercase  fold words to lower case before the word vocabulary (the character encoder sees them as written)
 */
public record EncoderConfig(Tokenizer tokens, int embed, int charEmbed, int charHidden, CellType cell, int hidden, int layers,
                            int directions, float dropout, boolean lowercase) {

    public EncoderConfig {
        check(tokens != null && cell != null, "tokens and cell must be given");
        check(embed > 0, "embed must be positive, got %d", embed);
        check(charEmbed >= 0, "char-embed must be ≥ 0 (0 = no character encoder), got %d", charEmbed);
        check(charEmbed == 0 || charHidden > 0, "char-hidden must be positive with a character encoder, got %d", charHidden);
        check(charEmbed == 0 || tokens == Tokenizer.WORD, "char-embed needs word tokens (a character encoder reads each word), got %d with %s tokens", charEmbed, tokens.name().toLowerCase(Locale.ROOT));
        check(hidden > 0, "hidden must be positive, got %d", hidden);
        check(layers > 0, "layers must be positive, got %d", layers);
        check(directions == 1 || directions == 2, "directions must be 1 or 2, got %d", directions);
        check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got %s", dropout);
    }

    /** Features per step of the encoder's output: directions · hidden. */
    public int outputSize() {
        return directions * hidden;
    }

    /** The recurrent stack's input: the embedding, plus both final states of the character encoder. */
    int inputSize() {
        return embed + (charEmbed > 0 ? 2 * charHidden : 0);
    }

    void write(ObjectNode c) {
        c.put("tokens", tokens.name().toLowerCase(Locale.ROOT)).put("embed", embed).put("char_embed", charEmbed)
                .put("char_hidden", charHidden).put("cell", cell.name().toLowerCase(Locale.ROOT)).put("hidden", hidden)
                .put("layers", layers).put("directions", directions).put("dropout", dropout).put("lowercase", lowercase);
    }

    static EncoderConfig read(JsonNode c) {
        return new EncoderConfig(Tokenizer.valueOf(c.get("tokens").asText().toUpperCase(Locale.ROOT)), c.get("embed").asInt(),
                c.get("char_embed").asInt(), c.get("char_hidden").asInt(), CellType.valueOf(c.get("cell").asText().toUpperCase(Locale.ROOT)),
                c.get("hidden").asInt(), c.get("layers").asInt(), c.get("directions").asInt(), (float) c.get("dropout").asDouble(),
                c.get("lowercase").asBoolean());
    }

    public String describe() {
        return String.format("%s %s%s %d×%d, embed %d%s, dropout %s", tokens.name().toLowerCase(Locale.ROOT),
                directions == 2 ? "bi" : "", cell.name().toLowerCase(Locale.ROOT), layers, hidden, embed,
                charEmbed > 0 ? ", char encoder " + charEmbed + "→2×" + charHidden : "", dropout);
    }
}
