package dev.recur.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.cli.ExitCodes;
import dev.recur.cli.Recur;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.io.ModelFile;
import dev.recur.io.RecurrentModelFile;
import dev.recur.nn.CellType;
import dev.recur.nn.Lengths;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentOutput;
import dev.recur.nn.RecurrentState;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.LanguageModelConfig;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncodeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path lstm;     // Lstm(3 -> 4, layers=2, bidirectional)
    private Recurrent layer;

    record Result(int code, String out, String err) {}

    /** Runs recur in process with {@code stdin}, capturing System.out and the error stream. */
    static Result run(String stdin, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new StringWriter();
        PrintStream savedOut = System.out;
        InputStream savedIn = System.in;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            var cl = Recur.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(savedOut);
            System.setIn(savedIn);
        }
    }

    @BeforeEach
    void writeModel() throws Exception {
        layer = Recurrent.of(RecurrentConfig.lstm(3, 4).withLayers(2).withDirections(2), new Rng(7));
        lstm = dir.resolve("lstm.safetensors");
        RecurrentModelFile.write(lstm, layer);
    }

    @Test
    void outputMatchesTheLayerRunDirectly() throws Exception {
        var rng = new SplittableRandom(2);
        Tensor x = Tensor.randn(rng, 5, 2, 3), h0 = Tensor.randn(rng, 4, 2, 4), c0 = Tensor.randn(rng, 4, 2, 4);
        var request = JSON.createObjectNode();
        request.set("input", NestedArrays.write(x));
        request.set("h0", NestedArrays.write(h0));
        request.set("c0", NestedArrays.write(c0));
        request.putArray("lengths").add(3).add(5);
        Path input = Files.writeString(dir.resolve("x.json"), request.toString());

        var r = run("", "encode", "--model", lstm.toString(), "--input", input.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        JsonNode got = JSON.readTree(r.out());
        assertThat(got.properties()).extracting(Map.Entry::getKey).containsExactly("output", "h_n", "c_n");

        RecurrentOutput expected;
        try (var off = Tape.noGrad()) {
            layer.train(false);
            expected = layer.forward(Variable.of(x), Lengths.of(3, 5), RecurrentState.of(h0, c0));
        }
        assertThat(got.get("output").toString()).isEqualTo(NestedArrays.write(expected.output().value()).toString());
        assertThat(got.get("h_n").toString()).isEqualTo(NestedArrays.write(expected.h().value()).toString());
        assertThat(got.get("c_n").toString()).isEqualTo(NestedArrays.write(expected.c().value()).toString());
        assertThat(got.get("output").get(4).get(0).toString()).isEqualTo("[0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0]");   // past length 3
    }

    @Test
    void readsStandardInputAndBatchFirstModels() throws Exception {
        var gru = Recurrent.of(RecurrentConfig.gru(2, 3).withBatchFirst(), new Rng(3));
        Path model = dir.resolve("gru.safetensors");
        RecurrentModelFile.write(model, gru);
        var r = run("{\"input\": [[[1, 2], [3, 4], [5, 6]]]}", "encode", "--model", model.toString(), "--input", "-");
        assertThat(r.code()).isZero();
        JsonNode got = JSON.readTree(r.out());
        assertThat(got.has("c_n")).isFalse();
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 3, 2);   // [B=1, T=3, F=2]
        gru.train(false);
        try (var off = Tape.noGrad()) {
            RecurrentOutput expected = gru.forward(Variable.of(x));
            assertThat(got.get("output").toString()).isEqualTo(NestedArrays.write(expected.output().value()).toString());
            assertThat(got.get("h_n").toString()).isEqualTo(NestedArrays.write(expected.h().value()).toString());
        }
    }

    @Test
    void badInputGetsOneLineNamingWhatWasExpectedAndFound() {
        // The model: an LSTM with input_size=3, hidden_size=4, num_layers=2, bidirectional; "input" is [T][B][F].
        assertBadInput("{\"input\": [[[1,2,3], [1,2,3], [1,2,3,4,5,6,7]]]}",
                "x.json: \"input\" has 7 features at [0][2]; the model expects input_size=3");
        assertBadInput("{\"input\": [[1,2,3]]}",
                "x.json: \"input\"[0][0] is the number 1; expected an array of features (input is nested [time steps][sequences][features])");
        assertBadInput("{\"input\": [[[[1,2,3]]]]}",
                "x.json: \"input\"[0][0][0] is an array; expected a number (input is nested [time steps][sequences][features], 3 levels deep)");
        assertBadInput("{\"input\": [[[1,2,3], [4,5,6]], [[1,2,3]]]}",
                "x.json: \"input\" has 1 sequence at [1]; expected 2 as at [0] (ragged arrays)");
        assertBadInput("{\"input\": [[[1,\"2\",3]]]}", "x.json: \"input\"[0][0][1] is \"2\" (a string); expected a number");
        assertBadInput("{\"input\": [[[1,NaN,3]]]}", "x.json: \"input\"[0][0][1] is NaN; expected a finite number");
        assertBadInput("{\"input\": [[[1,2,1e39]]]}", "x.json: \"input\"[0][0][2] is 1.0E39, beyond float32's range (±3.4e38)");
        assertBadInput("{\"input\": []}", "x.json: \"input\" is empty; expected at least one of its time steps");
        assertBadInput("{\"inputs\": []}", "x.json: unknown field \"inputs\"; expected \"input\", \"h0\", \"c0\" or \"lengths\"");
        assertBadInput("{}", "x.json: \"input\" is missing; expected [T][B][F] numbers");
        assertBadInput("[1, 2]", "x.json: expected a JSON object such as {\"input\": [[[0.1, 0.2, 0.3]]]}; found an array");
        assertBadInput("{\"input\": [[[1,2,3]]],", "x.json:1:23: not valid JSON: Unexpected end-of-input within/between Object entries");

        String x = "\"input\": [[[1,2,3], [4,5,6]], [[1,2,3], [4,5,6]]]";   // T=2, B=2
        assertBadInput("{" + x + ", \"lengths\": [2]}", "x.json: \"lengths\" has 1 entry; expected 2, one per sequence of \"input\"");
        assertBadInput("{" + x + ", \"lengths\": [2, 3]}", "x.json: \"lengths\"[1] is 3; expected an integer from 1 to 2, the time steps of \"input\"");
        assertBadInput("{" + x + ", \"lengths\": [0, 2]}", "x.json: \"lengths\"[0] is 0; expected an integer from 1 to 2, the time steps of \"input\"");
        assertBadInput("{" + x + ", \"lengths\": [1.5, 2]}", "x.json: \"lengths\"[0] is 1.5; expected an integer from 1 to 2, the time steps of \"input\"");
        assertBadInput("{" + x + ", \"h0\": [[[0,0,0,0]]]}", "x.json: \"h0\" is given without \"c0\"; an lstm needs both, or neither for zeros");
        String c0 = ", \"c0\": " + zeros(4, 2, 4);
        assertBadInput("{" + x + ", \"h0\": " + zeros(2, 2, 4) + c0 + "}",
                "x.json: \"h0\" has 2 layers×directions; expected 4 = num_layers=2 × 2 directions");
        assertBadInput("{" + x + ", \"h0\": " + zeros(4, 3, 4) + c0 + "}",
                "x.json: \"h0\" has 3 sequences at [0]; expected 2, the sequences of \"input\"");
        assertBadInput("{" + x + ", \"h0\": " + zeros(4, 2, 5) + c0 + "}",
                "x.json: \"h0\" has 5 features at [0][0]; the model expects hidden_size=4");
    }

    @Test
    void badModelsAreNamed() throws Exception {
        Path input = Files.writeString(dir.resolve("x.json"), "{\"input\": [[[1,2,3]]]}");
        var r = run("", "encode", "--model", dir.resolve("none.safetensors").toString(), "--input", input.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).isEqualTo("recur: " + dir.resolve("none.safetensors") + ": no such file" + System.lineSeparator());

        Path gru = dir.resolve("gru.safetensors");
        ModelFile.write(gru, "{\"type\": \"gru\", \"input_size\": 3, \"hidden_size\": 4}", Map.of("weight_ih_l0", Tensor.zeros(12, 3)));
        var g = run("", "encode", "--model", gru.toString(), "--input", input.toString());
        assertThat(g.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(g.err()).startsWith("recur: " + gru + ": tensor weight_hh_l0 is missing; expected shape [12, 4] for hidden_size=4");
        var gruWithC0 = run("{\"input\": [[[1,2,3]]], \"c0\": [[[1,2,3,4]]]}", "encode", "--model", gru.toString(), "--input", "-");
        assertThat(gruWithC0.err()).contains("missing");
    }

    @Test
    void inspectListsConfigTensorsAndParameterCount() {
        var r = run("", "inspect", lstm.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("type           \"lstm\"").contains("weight_hh_l1_reverse  [16, 4]")
                .contains("parameters: " + String.format("%,d", layer.parameterCount()))
                .endsWith("model: Lstm(3 -> 4, layers=2, bidirectional)" + System.lineSeparator());
    }

    @Test
    void inspectWorksForLanguageModelsAndListsABrokenFileBeforeItsError() throws Exception {
        var symbols = new java.util.ArrayList<>(List.of("<unk>"));
        for (char ch = 'a'; ch <= 'z'; ch++) symbols.add(String.valueOf(ch));
        var lm = new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.GRU, 4, 6, 1, 0f), Vocabulary.of(symbols), new Rng(1));
        Path file = dir.resolve("lm.safetensors");
        lm.save(file);
        var r = run("", "inspect", file.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("type        \"language_model\"").contains("rnn.weight_hh_l0  [18, 6]")
                .contains("(27 in all)]").contains("parameters: " + String.format("%,d", lm.parameterCount()))
                .contains("model: LanguageModel(");

        Path broken = dir.resolve("broken.safetensors");
        ModelFile.write(broken, "{\"type\": \"rnn\", \"input_size\": 3, \"hidden_size\": 4}", Map.of("weight_ih_l0", Tensor.zeros(4, 2)));
        var b = run("", "inspect", broken.toString());
        assertThat(b.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(b.out()).contains("weight_ih_l0  [4, 2]").doesNotContain("model:");
        assertThat(b.err()).startsWith("recur: " + broken + ": tensor weight_ih_l0 has shape [4, 2]; expected [4, 3] for hidden_size=4, input_size=3");
    }

    private void assertBadInput(String json, String message) {
        try {
            Path input = Files.writeString(dir.resolve("x.json"), json);
            var r = run("", "encode", "--model", lstm.toString(), "--input", input.toString());
            assertThat(r.code()).as(json).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).as(json).isEqualTo("recur: " + dir.resolve("x.json") + message.substring("x.json".length()) + System.lineSeparator());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String zeros(int... shape) {
        return NestedArrays.write(Tensor.zeros(shape)).toString();
    }
}
