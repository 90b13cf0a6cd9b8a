package dev.recur.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.nn.CellType;
import dev.recur.nn.Lengths;
import dev.recur.nn.Nonlinearity;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentOutput;
import dev.recur.nn.RecurrentState;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RecurrentModelFileTest {
    @TempDir Path dir;

    static Stream<RecurrentConfig> everyCellAndMode() {
        var all = Stream.<RecurrentConfig>builder();
        for (CellType cell : CellType.values()) {
            all.add(RecurrentConfig.of(cell, 3, 5));
            all.add(RecurrentConfig.of(cell, 2, 4).withLayers(2).withDirections(2).withBias(false));
            all.add(RecurrentConfig.of(cell, 3, 6).withLayers(2).withBatchFirst());
        }
        all.add(RecurrentConfig.rnn(3, 5).withNonlinearity(Nonlinearity.RELU).withDirections(2));
        all.add(RecurrentConfig.lstm(3, 5).withProjSize(2).withLayers(2).withDirections(2));
        all.add(RecurrentConfig.lstm(4, 6).withProjSize(3).withBias(false).withBatchFirst());
        all.add(RecurrentConfig.gru(3, 5).withResetBefore().withLayers(2).withDirections(2));
        all.add(RecurrentConfig.gru(4, 6).withResetBefore().withBias(false).withBatchFirst());
        return all.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyCellAndMode")
    void roundTripGivesIdenticalOutputs(RecurrentConfig config) throws IOException {
        Recurrent original = Recurrent.of(config, new Rng(11));
        Path file = dir.resolve("m.safetensors");
        RecurrentModelFile.write(file, original);
        Recurrent read = RecurrentModelFile.read(file);

        assertThat(read.config()).isEqualTo(config);
        assertThat(read.training()).isFalse();
        var rng = new SplittableRandom(3);
        int steps = 4, batch = 3;
        Tensor x = config.batchFirst() ? Tensor.randn(rng, batch, steps, config.inputSize()) : Tensor.randn(rng, steps, batch, config.inputSize());
        Tensor h0 = Tensor.randn(rng, config.numLayers() * config.directions(), batch, config.outputSize());
        Tensor c0 = Tensor.randn(rng, config.numLayers() * config.directions(), batch, config.hiddenSize());
        var initial = config.cell() == CellType.LSTM ? RecurrentState.of(h0, c0) : RecurrentState.of(h0);
        try (var off = Tape.noGrad()) {
            RecurrentOutput a = original.forward(Variable.of(x), Lengths.of(2, 4, 1), initial);
            RecurrentOutput b = read.forward(Variable.of(x), Lengths.of(2, 4, 1), initial);
            assertThat(b.output().value().toArray()).containsExactly(a.output().value().toArray());
            assertThat(b.h().value().toArray()).containsExactly(a.h().value().toArray());
            if (a.c() != null) assertThat(b.c().value().toArray()).containsExactly(a.c().value().toArray());
        }
    }

    @Test
    void storesTheConfigurationAsPyTorchNamesIt() throws IOException {
        Path file = dir.resolve("rnn.safetensors");
        RecurrentModelFile.write(file, Recurrent.of(RecurrentConfig.rnn(3, 5).withNonlinearity(Nonlinearity.RELU).withLayers(2), new Rng(1)));
        var model = ModelFile.read(file);
        assertThat(model.config().toString()).isEqualTo("{\"type\":\"rnn\",\"nonlinearity\":\"relu\",\"input_size\":3,\"hidden_size\":5,"
                + "\"num_layers\":2,\"bias\":true,\"bidirectional\":false,\"proj_size\":0,\"batch_first\":false}");
        assertThat(model.tensors().keySet()).containsExactly("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1");
    }

    @Test
    void missingOptionalFieldsTakePyTorchDefaults() throws IOException {
        Recurrent gru = read("{\"type\": \"GRU\", \"input_size\": 3, \"hidden_size\": 5}", gruTensors(3, 5));
        assertThat(gru.config()).isEqualTo(RecurrentConfig.gru(3, 5));
        assertThat(gru.config().resetAfter()).isTrue();
    }

    @Test
    void aGruStoresWhereItsResetGateActs() throws IOException {
        Path file = dir.resolve("gru.safetensors");
        RecurrentModelFile.write(file, Recurrent.of(RecurrentConfig.gru(3, 5).withResetBefore(), new Rng(1)));
        assertThat(ModelFile.read(file).config().toString()).isEqualTo("{\"type\":\"gru\",\"reset_after\":false,\"input_size\":3,"
                + "\"hidden_size\":5,\"num_layers\":1,\"bias\":true,\"bidirectional\":false,\"proj_size\":0,\"batch_first\":false}");
        Recurrent read = read("{\"type\": \"gru\", \"input_size\": 3, \"hidden_size\": 5, \"reset_after\": false}", gruTensors(3, 5));
        assertThat(read.config()).isEqualTo(RecurrentConfig.gru(3, 5).withResetBefore());
        assertThat(read.toString()).isEqualTo("Gru[reset-before](3 -> 5)");
        // PyTorch's form is the default and is not written, so its files read as before in a Recur without the field.
        RecurrentModelFile.write(file, Recurrent.of(RecurrentConfig.gru(3, 5), new Rng(1)));
        assertThat(ModelFile.read(file).config().has("reset_after")).isFalse();
    }

    // ---- bad files: every message names the file, the tensor or field, what was expected and what was found ----

    @Test
    void tensorWithTheWrongShapeIsNamedWithTheFieldItFollowsFrom() {
        var tensors = lstmTensors(3, 5);
        tensors.put("weight_hh_l0", Tensor.zeros(20, 4));
        assertThatThrownBy(() -> read(LSTM_3_5, tensors)).isInstanceOf(ModelFormatException.class)
                .hasMessage(dir.resolve("m.safetensors") + ": tensor weight_hh_l0 has shape [20, 4]; expected [20, 5] for hidden_size=5");
        tensors.put("weight_hh_l0", Tensor.zeros(20, 5));
        tensors.put("weight_ih_l0", Tensor.zeros(20, 7));
        assertThatThrownBy(() -> read(LSTM_3_5, tensors))
                .hasMessageEndingWith("tensor weight_ih_l0 has shape [20, 7]; expected [20, 3] for hidden_size=5, input_size=3");
    }

    @Test
    void missingTensorIsNamedWithItsShape() {
        var tensors = lstmTensors(3, 5);
        tensors.remove("bias_hh_l0");
        assertThatThrownBy(() -> read(LSTM_3_5, tensors))
                .hasMessageEndingWith("m.safetensors: tensor bias_hh_l0 is missing; expected shape [20] for hidden_size=5");
    }

    @Test
    void extraTensorsAreNamedWithTheFieldThatRulesThemOut() {
        var tensors = lstmTensors(3, 5);
        tensors.put("weight_ih_l1", Tensor.zeros(20, 5));
        tensors.put("weight_hh_l0_reverse", Tensor.zeros(20, 5));
        tensors.put("decoder.weight", Tensor.zeros(2, 5));
        assertThatThrownBy(() -> read(LSTM_3_5, tensors)).hasMessage(dir.resolve("m.safetensors")
                + ": unexpected tensor weight_ih_l1; the config has num_layers=1"
                + "; unexpected tensor weight_hh_l0_reverse; the config has bidirectional=false"
                + "; unexpected tensor decoder.weight (a prefix \"decoder.\": save the lstm's own state_dict, e.g. model.rnn.state_dict(), not the whole model's)");

        var noBias = lstmTensors(3, 5);
        assertThatThrownBy(() -> read("{\"type\": \"lstm\", \"input_size\": 3, \"hidden_size\": 5, \"bias\": false}", noBias))
                .hasMessageContaining("unexpected tensor bias_ih_l0; the config has bias=false")
                .hasMessageContaining("unexpected tensor bias_hh_l0; the config has bias=false");
    }

    @Test
    void nonFiniteWeightIsNamedWithItsIndex() {
        var tensors = lstmTensors(3, 5);
        tensors.get("weight_hh_l0").set(Float.NaN, 7, 2);
        assertThatThrownBy(() -> read(LSTM_3_5, tensors))
                .hasMessageEndingWith("tensor weight_hh_l0 holds NaN at [7, 2]; weights must be finite");
    }

    @Test
    void badOrMissingConfigFieldsAreNamed() {
        var tensors = lstmTensors(3, 5);
        assertConfigError("{\"type\": \"lstm\", \"input_size\": 3}", tensors,
                "recur.config: \"hidden_size\" is missing; expected a positive integer such as 5");
        assertConfigError("{\"input_size\": 3, \"hidden_size\": 5}", tensors,
                "recur.config: \"type\" is missing; expected \"lstm\", \"gru\" or \"rnn\"");
        assertConfigError("{\"type\": \"transformer\", \"input_size\": 3, \"hidden_size\": 5}", tensors,
                "recur.config: \"type\" is \"transformer\"; expected \"lstm\", \"gru\" or \"rnn\"");
        assertConfigError("{\"type\": \"lstm\", \"input_size\": 3, \"hidden_size\": 5, \"num_layers\": \"2\", \"bias\": 1}", tensors,
                "recur.config: \"num_layers\" is \"2\"; expected a positive integer; \"bias\" is 1; expected true or false");
        assertConfigError("{\"type\": \"lstm\", \"input_size\": 0, \"hidden_size\": 5.5}", tensors,
                "recur.config: \"input_size\" is 0; expected a positive integer; \"hidden_size\" is 5.5; expected a positive integer");
        assertConfigError("{\"type\": \"lstm\", \"input_size\": 3, \"hidden_size\": 5, \"num_layer\": 2}", tensors,
                "recur.config: unknown field \"num_layer\"; expected [type, nonlinearity, input_size, hidden_size, num_layers, "
                        + "bias, bidirectional, proj_size, batch_first, dropout, reset_after]");
        assertConfigError("{\"type\": \"gru\", \"input_size\": 3, \"hidden_size\": 5, \"proj_size\": 2}", tensors,
                "recur.config: \"proj_size\" is 2; only an lstm projects, this is a gru");
        assertConfigError("{\"type\": \"lstm\", \"input_size\": 3, \"hidden_size\": 5, \"proj_size\": 5}", tensors,
                "recur.config: \"proj_size\" is 5; it must be smaller than hidden_size=5");
        assertConfigError("{\"type\": \"lstm\", \"input_size\": 3, \"hidden_size\": 5, \"nonlinearity\": \"relu\"}", tensors,
                "recur.config: \"nonlinearity\" is \"relu\"; only an rnn has one, this is an lstm");
        assertConfigError("{\"type\": \"lstm\", \"input_size\": 3, \"hidden_size\": 5, \"reset_after\": false}", tensors,
                "recur.config: \"reset_after\" is false; only a gru has a reset gate, this is an lstm");
        assertConfigError("{\"type\": \"gru\", \"input_size\": 3, \"hidden_size\": 5, \"reset_after\": \"no\"}", tensors,
                "recur.config: \"reset_after\" is \"no\"; expected true or false");
        assertConfigError("{\"type\": \"rnn\", \"input_size\": 3, \"hidden_size\": 5, \"nonlinearity\": \"sigmoid\"}", tensors,
                "recur.config: \"nonlinearity\" is \"sigmoid\"; expected \"tanh\" or \"relu\"");
        assertConfigError("{\"type\": \"language_model\", \"cell\": \"lstm\"}", tensors,
                "recur.config: \"type\" is \"language_model\": this is a language model, not a bare recurrent stack; use `recur lm`");
    }

    @Test
    void fileWithoutAConfigSaysSo() throws IOException {
        Path file = dir.resolve("bare.safetensors");
        SafeTensors.write(file, lstmTensors(3, 5), Map.of());
        assertThatThrownBy(() -> RecurrentModelFile.read(file)).isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(file + ": no recur.config in the metadata");
    }

    private static final String LSTM_3_5 = "{\"type\": \"lstm\", \"input_size\": 3, \"hidden_size\": 5}";

    private void assertConfigError(String config, Map<String, Tensor> tensors, String message) {
        assertThatThrownBy(() -> read(config, tensors)).isInstanceOf(ModelFormatException.class)
                .hasMessage(dir.resolve("m.safetensors") + ": " + message);
    }

    private Recurrent read(String config, Map<String, Tensor> tensors) throws IOException {
        Path file = dir.resolve("m.safetensors");
        ModelFile.write(file, config, tensors);
        return RecurrentModelFile.read(file);
    }

    private static Map<String, Tensor> lstmTensors(int input, int hidden) {
        return tensors(4, input, hidden);
    }

    private static Map<String, Tensor> gruTensors(int input, int hidden) {
        return tensors(3, input, hidden);
    }

    private static Map<String, Tensor> tensors(int gates, int input, int hidden) {
        var rng = new SplittableRandom(5);
        var t = new LinkedHashMap<String, Tensor>();
        t.put("weight_ih_l0", Tensor.randn(rng, gates * hidden, input));
        t.put("weight_hh_l0", Tensor.randn(rng, gates * hidden, hidden));
        t.put("bias_ih_l0", Tensor.randn(rng, gates * hidden));
        t.put("bias_hh_l0", Tensor.randn(rng, gates * hidden));
        return t;
    }
}
