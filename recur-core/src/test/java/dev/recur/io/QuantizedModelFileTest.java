package dev.recur.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.nn.CellType;
import dev.recur.optim.OptimizerType;
import dev.recur.task.Models;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.LanguageModelConfig;
import dev.recur.tensor.InvalidInputException;
import dev.recur.tensor.QuantizedWeights;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A quantized model file: stored in I8 or BF16 with scales, read back as the dequantized model with its stored forms. */
class QuantizedModelFileTest {
    @TempDir
    Path dir;

    private static LanguageModel model() {
        var vocab = Vocabulary.build(Tokenizer.CHAR.split("abcdefgh \n"), 0);
        return new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.LSTM, 6, 16, 2, 0f), vocab, new Rng(3));
    }

    private Path write(LanguageModel lm, QuantizedWeights.Type type) throws Exception {
        var weights = new LinkedHashMap<String, QuantizedWeights>();
        lm.namedProductWeights().forEach((name, p) -> weights.put(name, QuantizedWeights.of(type, p.value())));
        var tensors = new LinkedHashMap<String, Tensor>(lm.stateDict());
        weights.forEach((name, q) -> tensors.put(name, Tensor.of(q.dequantize(), q.rows(), q.cols())));
        Path file = dir.resolve(type.option() + ".safetensors");
        new ModelFile(null, lm.configJson(), tensors, new Quantization(type, weights)).write(file);
        return file;
    }

    @Test
    void int8AndBf16FilesReadBackAsTheDequantizedModelWithTheirStoredForms() throws Exception {
        var lm = model();
        assertThat(lm.namedProductWeights().keySet()).containsExactly("rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.weight_ih_l1",
                "rnn.weight_hh_l1", "decoder.weight");
        for (var type : QuantizedWeights.Type.values()) {
            Path file = write(lm, type);
            SafeTensors raw = SafeTensors.read(file);
            assertThat(raw.dtypes().get("rnn.weight_hh_l0")).isEqualTo(type.dtype());
            assertThat(raw.dtypes().get("encoder.weight")).isEqualTo("F32");   // embeddings stay float32
            assertThat(raw.tensors().containsKey("rnn.weight_hh_l0.scale")).isEqualTo(type == QuantizedWeights.Type.INT8);
            assertThat(new ObjectMapper().readTree(raw.metadata().get(ModelFile.CONFIG_KEY)).get("quantization").get("dtype").asText())
                    .isEqualTo(type.option());

            LanguageModel loaded = Models.open(file, LanguageModel.class);
            var expected = QuantizedWeights.of(type, lm.namedParameters().get("rnn.weight_hh_l0").value());
            Tensor w = loaded.namedParameters().get("rnn.weight_hh_l0").value();
            assertThat(w.quantized()).isEqualTo(expected);
            assertThat(w.toArray()).containsExactly(expected.dequantize());
            assertThat(loaded.namedParameters().get("encoder.weight").value().toArray())
                    .containsExactly(lm.namedParameters().get("encoder.weight").value().toArray());
            assertThat(Quantization.of(loaded)).isEqualTo(type);
            assertThatThrownBy(() -> OptimizerType.ADAM.create(loaded.parameters(), 1e-3f)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("quantized (" + type.option() + "): quantized files are for inference");
        }
    }

    @Test
    void filesWhoseQuantizationDoesNotMatchTheirTensorsAreRefusedByName() throws Exception {
        var lm = model();
        Path file = write(lm, QuantizedWeights.Type.INT8);
        SafeTensors raw = SafeTensors.read(file);
        String config = raw.metadata().get(ModelFile.CONFIG_KEY);

        var noScale = new LinkedHashMap<>(raw.tensors());
        noScale.remove("decoder.weight.scale");
        assertThatThrownBy(() -> rewrite(noScale, raw.dtypes(), config)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("int8 tensor decoder.weight has no decoder.weight.scale");

        var shortScale = new LinkedHashMap<>(raw.tensors());
        shortScale.put("decoder.weight.scale", Tensor.zeros(3));
        assertThatThrownBy(() -> rewrite(shortScale, raw.dtypes(), config)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("tensor decoder.weight: needs one scale per row");

        var floats = new LinkedHashMap<>(raw.dtypes());
        floats.put("rnn.weight_ih_l0", "F32");
        assertThatThrownBy(() -> rewrite(raw.tensors(), floats, config)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("tensor rnn.weight_ih_l0 is stored as F32, but the quantization says int8 (I8)");

        String unlisted = config.replace("\"rnn.weight_ih_l0\",", "");
        assertThatThrownBy(() -> rewrite(raw.tensors(), raw.dtypes(), unlisted)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("tensor rnn.weight_ih_l0 is int8, but recur.config's quantization does not list it");
    }

    private void rewrite(Map<String, Tensor> tensors, Map<String, String> dtypes, String config) throws Exception {
        Path file = dir.resolve("bad.safetensors");
        Files.deleteIfExists(file);
        new SafeTensors(tensors, Map.of(ModelFile.CONFIG_KEY, config), dtypes).write(file);
        Models.open(file, LanguageModel.class);
    }
}
