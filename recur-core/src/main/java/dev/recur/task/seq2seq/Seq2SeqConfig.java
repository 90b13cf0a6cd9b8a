package dev.recur.task.seq2seq;

import static dev.recur.tensor.InvalidOptionException.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.nn.Attention;
import dev.recur.nn.CellType;
import java.util.Locale;

/**
 * An encoder–decoder's hyperparameters; stored in the model file with the vocabularies and BPE merges.
 *
 * @param embed          embedding size of both sides, e.g. 128
 * @param cell           LSTM or GRU, for the encoder and the decoder
 * @param encoderHidden  hidden size per direction of the bidirectional encoder, e.g. 256
 * @param encoderLayers  stacked encoder layers, e.g. 2
 * @param decoderHidden  the decoder's hidden size, e.g. 256
 * @param decoderLayers  stacked decoder layers, e.g. 1
 * @param attention      additive (Bahdanau), dot or general (Luong)
 * @param attentionSize  the additive form's hidden size
 * @param dropout        on embeddings, between layers, on the encoder's outputs and before the output layer, in [0, 1)
 * @param labelSmoothing ε of the training loss, in [0, 1)
 */
public record Seq2SeqConfig(int embed, CellType cell, int encoderHidden, int encoderLayers, int decoderHidden, int decoderLayers,
                            Attention.Form attention, int attentionSize, float dropout, float labelSmoothing) {

    public Seq2SeqConfig {
        check(cell == CellType.LSTM || cell == CellType.GRU, "cell must be lstm or gru, got %s", cell);
        check(embed > 0 && encoderHidden > 0 && decoderHidden > 0 && attentionSize > 0, "sizes must be positive");
        check(encoderLayers > 0 && decoderLayers > 0, "layers must be positive");
        check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got %s", dropout);
        check(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1), got %s", labelSmoothing);
        check(attention != null, "attention must be given");
    }

    /** Features per source step of the encoder's output: both directions. */
    public int memorySize() {
        return 2 * encoderHidden;
    }

    void write(ObjectNode c) {
        c.put("embed", embed).put("cell", cell.name().toLowerCase(Locale.ROOT)).put("encoder_hidden", encoderHidden)
                .put("encoder_layers", encoderLayers).put("decoder_hidden", decoderHidden).put("decoder_layers", decoderLayers)
                .put("attention", attention.label()).put("attention_size", attentionSize).put("dropout", dropout)
                .put("label_smoothing", labelSmoothing);
    }

    static Seq2SeqConfig read(JsonNode c) {
        return new Seq2SeqConfig(c.get("embed").asInt(), CellType.valueOf(c.get("cell").asText().toUpperCase(Locale.ROOT)),
                c.get("encoder_hidden").asInt(), c.get("encoder_layers").asInt(), c.get("decoder_hidden").asInt(),
                c.get("decoder_layers").asInt(), Attention.Form.parse(c.get("attention").asText()), c.get("attention_size").asInt(),
                (float) c.get("dropout").asDouble(), (float) c.get("label_smoothing").asDouble());
    }

    public String describe() {
        String cellName = cell.name().toLowerCase(Locale.ROOT);
        return String.format("bi%s %d×%d → %s %d×%d, %s attention, embed %d, dropout %s", cellName, encoderLayers, encoderHidden,
                cellName, decoderLayers, decoderHidden, attention.label(), embed, dropout);
    }
}
