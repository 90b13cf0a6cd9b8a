package dev.recur.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.io.ModelFile;
import dev.recur.io.Quantization;
import dev.recur.io.RecurrentModelFile;
import dev.recur.nn.CellType;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.task.Models;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.LanguageModelConfig;
import dev.recur.task.lm.Sampler;
import dev.recur.tensor.QuantizedWeights;
import dev.recur.tensor.Rng;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server runs quantized model files: generation, streaming sessions and predictions read their narrow weights. */
class QuantizedServeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void quantizedModelsGenerateStepAndPredict() throws Exception {
        var symbols = new ArrayList<>(List.of(Vocabulary.UNKNOWN, " ", "\n"));
        for (char ch = 'a'; ch <= 'z'; ch++) symbols.add(String.valueOf(ch));
        Path lm = quantize(dir.resolve("lm.safetensors"), QuantizedWeights.Type.INT8, file ->
                new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.LSTM, 8, 16, 2, 0f), Vocabulary.of(symbols), new Rng(1)).save(file));
        Path gru = quantize(dir.resolve("gru.safetensors"), QuantizedWeights.Type.BF16, file ->
                RecurrentModelFile.write(file, Recurrent.of(RecurrentConfig.gru(3, 8).withLayers(2), new Rng(2))));
        var models = new LinkedHashMap<String, ServedModel>();
        models.put("lm", new ServedModel("lm", Models.open(lm)));
        models.put("gru", new ServedModel("gru", Models.open(gru)));
        var server = Server.start(models, new Server.Options("127.0.0.1", 0, 1 << 20, null, 10, Duration.ofMinutes(1)));
        try {
            String base = "http://127.0.0.1:" + server.port();
            LanguageModel model = Models.open(lm, LanguageModel.class);
            assertThat(model.namedProductWeights().values()).allMatch(w -> w.value().quantized() != null);
            var expected = new StringBuilder();
            new Sampler(0.8f, 0, 0.9f).generate(model, Tokenizer.CHAR.encode("ab", model.vocabulary()), 20, new Rng(5), expected::append);
            var generated = ServerTest.send(base, "POST", "/v1/models/lm/generate",
                    "{\"prompt\": \"ab\", \"max_tokens\": 20, \"temperature\": 0.8, \"top_p\": 0.9, \"seed\": 5}");
            assertThat(generated.status()).as(generated.body()).isEqualTo(200);
            assertThat(generated.json().get("text").asText()).isEqualTo(expected.toString());

            String x = ServerTest.sequence(5, 3, 4);
            var batch = JSON.createArrayNode();   // [T][1][F]
            JSON.readTree(x).forEach(row -> batch.addArray().add(row));
            var predicted = ServerTest.send(base, "POST", "/v1/models/gru/predict", "{\"input\": " + batch + "}");
            assertThat(predicted.status()).as(predicted.body()).isEqualTo(200);
            String session = ServerTest.send(base, "POST", "/v1/models/gru/sessions", null).json().get("session").asText();
            var stepped = ServerTest.send(base, "POST", "/v1/sessions/" + session + "/step", "{\"input\": " + x + "}");
            assertThat(stepped.status()).as(stepped.body()).isEqualTo(200);
            JsonNode whole = predicted.json().get("output"), steps = stepped.json().get("output");
            for (int t = 0; t < 5; t++) {
                for (int k = 0; k < 8; k++) {
                    assertThat(steps.get(t).get(k).asDouble()).isCloseTo(whole.get(t).get(0).get(k).asDouble(), within(1e-5));
                }
            }
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    interface Writer {
        void write(Path file) throws Exception;
    }

    /** Writes a float32 model with {@code writer}, then its quantized file beside it, as `recur quantize` does. */
    private static Path quantize(Path file, QuantizedWeights.Type type, Writer writer) throws Exception {
        writer.write(file);
        Models.Opened opened = Models.open(file);
        Quantization quantization = Quantization.quantize(opened.model(), type);
        Path out = file.resolveSibling(type.option() + "-" + file.getFileName());
        new ModelFile(null, opened.config(), opened.model().stateDict(), quantization).write(out);
        return out;
    }
}
