package dev.recur.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    @TempDir Path dir;

    private static Map<String, Tensor> lstm(int input, int hidden) {
        var rng = new SplittableRandom(5);
        var tensors = new LinkedHashMap<String, Tensor>();
        tensors.put("weight_ih_l0", Tensor.randn(rng, 4 * hidden, input));
        tensors.put("weight_hh_l0", Tensor.randn(rng, 4 * hidden, hidden));
        tensors.put("bias_ih_l0", Tensor.randn(rng, 4 * hidden));
        tensors.put("bias_hh_l0", Tensor.randn(rng, 4 * hidden));
        return tensors;
    }

    private static Map<String, int[]> expectedLstm(int input, int hidden) {
        var expected = new LinkedHashMap<String, int[]>();
        expected.put("weight_ih_l0", new int[] {4 * hidden, input});
        expected.put("weight_hh_l0", new int[] {4 * hidden, hidden});
        expected.put("bias_ih_l0", new int[] {4 * hidden});
        expected.put("bias_hh_l0", new int[] {4 * hidden});
        return expected;
    }

    @Test
    void roundTripsConfigAndTensors() throws IOException {
        Path file = dir.resolve("model.safetensors");
        ModelFile.write(file, "{\"type\": \"lstm\", \"input_size\": 3, \"hidden_size\": 5, \"vocab\": [\"a\", \"é\"]}", lstm(3, 5));
        ModelFile model = ModelFile.read(file);
        assertThat(model.file()).isEqualTo(file);
        assertThat(model.config().get("type").asText()).isEqualTo("lstm");
        assertThat(model.config().get("hidden_size").asInt()).isEqualTo(5);
        assertThat(model.config().get("vocab").get(1).asText()).isEqualTo("é");
        assertThat(model.tensors().keySet()).containsExactly("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0");
        assertThat(model.tensors().get("weight_hh_l0").toArray()).containsExactly(lstm(3, 5).get("weight_hh_l0").toArray());
        model.requireTensors(expectedLstm(3, 5), "for input_size=3, hidden_size=5");

        var node = new ObjectMapper().createObjectNode().put("type", "gru").put("hidden_size", 2);
        ModelFile.write(file, node, Map.of("bias_ih_l0", Tensor.zeros(6)));
        assertThat(ModelFile.read(file).config()).isEqualTo(node);
        assertThat(SafeTensors.read(file).metadata()).containsOnlyKeys(ModelFile.CONFIG_KEY);
    }

    @Test
    void readsTheReferenceFile() throws IOException {
        ModelFile model = ModelFile.read(SafeTensorsTest.reference());
        assertThat(model.config().get("type").asText()).isEqualTo("lstm");
        assertThat(model.config().get("hidden_size").asInt()).isEqualTo(5);
        var lstmPart = new LinkedHashMap<>(model.tensors());
        lstmPart.keySet().retainAll(expectedLstm(3, 5).keySet());
        ModelFile.requireTensors(model.file().toString(), lstmPart, expectedLstm(3, 5), "for hidden_size=5");
    }

    @Test
    void aFileWithoutConfigIsRejected() throws IOException {
        Path file = dir.resolve("x.safetensors");
        SafeTensors.write(file, lstm(3, 5), Map.of("format", "pt"));
        assertThatThrownBy(() -> ModelFile.read(file)).isExactlyInstanceOf(ModelFormatException.class)
                .hasMessage(file + ": no recur.config in the metadata; it was not written by Recur or by the snippet in the README");
    }

    @Test
    void aConfigThatIsNotAJsonObjectIsRejected() throws IOException {
        Path file = dir.resolve("x.safetensors");
        SafeTensors.write(file, Map.of(), Map.of(ModelFile.CONFIG_KEY, "{type: lstm"));
        assertThatThrownBy(() -> ModelFile.read(file)).isExactlyInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(file + ": recur.config is not valid JSON: ");
        SafeTensors.write(file, Map.of(), Map.of(ModelFile.CONFIG_KEY, "[1, 2]"));
        assertThatThrownBy(() -> ModelFile.read(file)).isExactlyInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(file + ": recur.config is [1,2]; expected a JSON object");
        SafeTensors.write(file, Map.of(), Map.of(ModelFile.CONFIG_KEY, ""));
        assertThatThrownBy(() -> ModelFile.read(file)).isExactlyInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(file + ": recur.config is empty; expected a JSON object");
    }

    @Test
    void writingABadConfigIsAnArgumentError() {
        Path file = dir.resolve("x.safetensors");
        assertThatThrownBy(() -> ModelFile.write(file, "{\"type\": ", Map.of()))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the model config is not valid JSON");
        assertThatThrownBy(() -> ModelFile.write(file, "3", Map.of()))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be a JSON object");
        assertThat(file).doesNotExist();
    }

    @Test
    void requireTensorsNamesTheFileTheTensorAndTheReason() {
        var tensors = lstm(3, 4);
        assertThatThrownBy(() -> ModelFile.requireTensors("model.safetensors", tensors, expectedLstm(3, 5), "for hidden_size=5"))
                .isExactlyInstanceOf(ModelFormatException.class)
                .hasMessage("model.safetensors: tensor weight_ih_l0 has shape [16, 3]; expected [20, 3] for hidden_size=5; "
                        + "tensor weight_hh_l0 has shape [16, 4]; expected [20, 5] for hidden_size=5; "
                        + "tensor bias_ih_l0 has shape [16]; expected [20] for hidden_size=5; "
                        + "tensor bias_hh_l0 has shape [16]; expected [20] for hidden_size=5");

        var twoLayers = new LinkedHashMap<>(expectedLstm(3, 5));
        twoLayers.put("weight_ih_l1", new int[] {20, 5});
        assertThatThrownBy(() -> ModelFile.requireTensors("model.safetensors", lstm(3, 5), twoLayers, "for num_layers=2"))
                .hasMessage("model.safetensors: tensor weight_ih_l1 is missing; expected shape [20, 5] for num_layers=2");

        var extra = new LinkedHashMap<>(lstm(3, 5));
        extra.put("weight_hr_l0", Tensor.zeros(2, 5));
        assertThatThrownBy(() -> ModelFile.requireTensors("model.safetensors", extra, expectedLstm(3, 5), ""))
                .hasMessage("model.safetensors: unexpected tensor weight_hr_l0");

        var many = new LinkedHashMap<String, int[]>();
        for (int i = 0; i < 8; i++) many.put("t" + i, new int[] {1});
        assertThatThrownBy(() -> ModelFile.requireTensors("m", Map.of(), many, null))
                .hasMessageEndingWith("tensor t4 is missing; expected shape [1]; and 3 more problems");
    }
}
