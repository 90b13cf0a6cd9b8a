package dev.recur.task.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.Tape;
import dev.recur.data.Tokenizer;
import dev.recur.nn.CellType;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextEncoderTest {
    private static final List<List<String>> TRAINING = List.of(List.of("The", "cat", "sat"), List.of("A", "dog", "barked", "at", "the", "cat"));

    private static TextEncoder encoder(EncoderConfig config) {
        var vocabularies = TextEncoder.vocabularies(config, TRAINING, 0, 1);
        var encoder = new TextEncoder(config, vocabularies.get("words"), vocabularies.get("chars"), new Rng(3));
        encoder.train(false);
        return encoder;
    }

    /** Sequence {@code i}'s outputs [len, D·H] within an encoded batch. */
    private static float[] rows(TextEncoder.Encoded e, int i, int length) {
        Tensor out = e.outputs().value();
        int b = e.batch(), f = out.dim(2);
        float[] rows = new float[length * f];
        for (int t = 0; t < length; t++) System.arraycopy(out.data(), out.offset() + (t * b + i) * f, rows, t * f, f);
        return rows;
    }

    @Test
    void aSentenceEncodesTheSameAloneAndInAPaddedBatch() {
        for (var config : List.of(new EncoderConfig(Tokenizer.WORD, 6, 4, 3, CellType.LSTM, 5, 2, 2, 0.2f, true),
                new EncoderConfig(Tokenizer.WORD, 6, 0, 0, CellType.GRU, 5, 1, 2, 0f, false))) {
            var encoder = encoder(config);
            var sentence = List.of("A", "cat", "barked", "unseen");
            try (var off = Tape.noGrad()) {
                var alone = encoder.forward(List.of(sentence));
                var batch = encoder.forward(List.of(List.of("The", "dog", "sat", "at", "the", "cat", "today"), sentence, List.of("A")));
                assertThat(batch.steps()).isEqualTo(7);
                // The same to float rounding: products over batches of other sizes sum in other orders.
                assertThat(rows(batch, 1, 4)).as(config.describe()).containsExactly(rows(alone, 0, 4), within(1e-6f));
                // Past its length a sequence's outputs are zero.
                assertThat(rows(batch, 2, 7)).as("padded steps").contains(0f);
                float[] padded = rows(batch, 2, 7);
                for (int k = config.outputSize(); k < padded.length; k++) assertThat(padded[k]).isZero();
            }
        }
    }

    @Test
    void unknownWordsAreToldApartByTheirCharacters() {
        var encoder = encoder(new EncoderConfig(Tokenizer.WORD, 6, 4, 3, CellType.LSTM, 5, 1, 2, 0f, true));
        assertThat(encoder.knows("Cat")).isTrue();
        assertThat(encoder.knows("zebra")).isFalse();
        try (var off = Tape.noGrad()) {
            float[] zebra = rows(encoder.forward(List.of(List.of("zebra"))), 0, 1);
            float[] quokka = rows(encoder.forward(List.of(List.of("quokka"))), 0, 1);
            assertThat(zebra).isNotEqualTo(quokka);
        }
        var plain = encoder(new EncoderConfig(Tokenizer.WORD, 6, 0, 0, CellType.LSTM, 5, 1, 2, 0f, true));
        try (var off = Tape.noGrad()) {
            assertThat(rows(plain.forward(List.of(List.of("zebra"))), 0, 1)).containsExactly(rows(plain.forward(List.of(List.of("quokka"))), 0, 1));
        }
    }

    @Test
    void theStoredConfigurationAndVocabulariesRebuildTheSameEncoder() {
        var encoder = encoder(new EncoderConfig(Tokenizer.WORD, 6, 4, 3, CellType.LSTM, 5, 1, 2, 0f, true));
        var json = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        encoder.write(json);
        var copy = TextEncoder.read(json, new Rng(9));
        assertThat(copy.namedParameters().keySet()).isEqualTo(encoder.namedParameters().keySet());
        assertThat(copy.config()).isEqualTo(encoder.config());
        assertThat(copy.words().symbols()).isEqualTo(encoder.words().symbols());
    }
}
