package dev.recur.onnx;

import static dev.recur.onnx.ExportOnnxCommandTest.run;
import static dev.recur.onnx.OnnxGraph.FLOAT;
import static dev.recur.onnx.OnnxGraph.attr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.recur.cli.ExitCodes;
import dev.recur.io.ModelFormatException;
import dev.recur.io.RecurrentModelFile;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.cli.CliRun.Result;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code recur import onnx} in process: the model file it writes, and one-line errors with exit code 2 for bad input. */
class ImportOnnxCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesTheStackTheGraphHolds() throws Exception {
        Recurrent gru = Recurrent.of(RecurrentConfig.gru(3, 4).withLayers(2).withDirections(2).withResetBefore().withBatchFirst(), new Rng(6));
        Path onnx = dir.resolve("gru.onnx"), model = dir.resolve("gru.safetensors");
        OnnxExport.write(onnx, RecurrentExport.model(gru, Inputs.ALL, 17));

        Result r = run("import", "onnx", "--model", onnx.toString(), "--out", model.toString());

        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.err()).contains("wrote " + model, "Gru[reset-before](3 -> 4, layers=2, bidirectional, batchFirst)");
        Recurrent read = RecurrentModelFile.read(model);
        assertThat(read.config()).isEqualTo(gru.config());
        gru.stateDict().forEach((name, t) -> assertThat(read.stateDict().get(name).toArray()).as(name).containsExactly(t.toArray()));
    }

    @Test
    void helpShowsExamplesAndTheRootListsImportUnderModels() {
        Result help = run("import", "onnx", "--help");
        assertThat(help.code()).isEqualTo(ExitCodes.OK);
        assertThat(help.out()).contains("--model", "--out", "Examples:", "recur import onnx --model lstm.onnx --out lstm.safetensors");

        Result root = run("--help");
        assertThat(root.out()).containsPattern("Models:\\R(  .*\\R)*  import +Read a model from another format");
    }

    @Test
    void aTruncatedModelIsBadInput() throws Exception {
        byte[] bytes = RecurrentExport.model(Recurrent.of(RecurrentConfig.lstm(3, 4), new Rng(1)), Inputs.ALL, 17).toByteArray();
        assertBadInput(Arrays.copyOf(bytes, bytes.length / 2), "not an ONNX model (protobuf: ");
    }

    @Test
    void randomBytesAreBadInput() throws Exception {
        byte[] bytes = new byte[1000];
        new Random(3).nextBytes(bytes);
        assertBadInput(bytes, "not an ONNX model");
    }

    @Test
    void aSafetensorsFileIsBadInput() throws Exception {
        Path st = dir.resolve("lstm.safetensors");
        RecurrentModelFile.write(st, Recurrent.of(RecurrentConfig.lstm(3, 4), new Rng(1)));
        assertBadInput(Files.readAllBytes(st), "this is a safetensors file, not an ONNX model");
    }

    @Test
    void opset6IsBadInput() throws Exception {
        ModelProto m = RecurrentExport.model(Recurrent.of(RecurrentConfig.lstm(3, 4), new Rng(1)), Inputs.ALL, 17);
        m = m.toBuilder().setOpsetImport(0, m.getOpsetImport(0).toBuilder().setVersion(6)).build();
        assertBadInput(m.toByteArray(), "opset 6 is not supported; Recur imports ONNX opsets 7 to 22");
    }

    @Test
    void aConvNodeIsBadInputNamingTheNode() throws Exception {
        var g = new OnnxGraph("conv");
        String x = g.input("X", FLOAT, "T", "B", 3);
        String w = g.initializer("w", Tensor.zeros(2, 3, 1));
        g.output(g.node("Identity", List.of(x), "x1"), FLOAT, "T", "B", 3);
        g.node("Identity", List.of(x), "x2");
        g.node("Identity", List.of(x), "x3");
        g.output(g.node("Conv", List.of(x, w), "y"), FLOAT, "T", "B", 2);
        assertBadInput(g.model(17, java.util.Map.of()).toByteArray(), "node 'Conv_3' (Conv): Recur imports RNN, GRU and LSTM stacks only");
    }

    @Test
    void lstmClipIsBadInput() throws Exception {
        assertBadInput(lstm(4, 4, null, AttributeProto.newBuilder().setName("clip").setType(AttributeProto.AttributeType.FLOAT).setF(3).build()),
                "node 'LSTM_0' (LSTM): attribute clip is not supported; Recur's cells do not clip their pre-activations");
    }

    @Test
    void inputForgetIsBadInput() throws Exception {
        assertBadInput(lstm(4, 4, null, attr("input_forget", 1)),
                "node 'LSTM_0' (LSTM): input_forget=1 is not supported; Recur's LSTM has separate input and forget gates");
    }

    @Test
    void aLeakyReluActivationIsBadInput() throws Exception {
        assertBadInput(lstm(4, 4, null, OnnxGraph.strings("activations", List.of("Sigmoid", "LeakyRelu", "Tanh"))),
                "node 'LSTM_0' (LSTM): activations [Sigmoid, LeakyRelu, Tanh] are not supported; Recur's LSTM uses ONNX's defaults"
                        + " [Sigmoid, Tanh, Tanh] per direction");
    }

    @Test
    void wDisagreeingWithHiddenSizeIsBadInput() throws Exception {
        assertBadInput(lstm(5, 4, null), "node 'LSTM_0' (LSTM): W has dims [1, 16, 3]; expected [1, 20, input_size] for hidden_size=5"
                + " and direction forward");
    }

    @Test
    void nonzeroPeepholesAreBadInput() throws Exception {
        Tensor p = Tensor.zeros(1, 12);
        p.data()[5] = 0.5f;
        assertBadInput(lstm(4, 4, p), "node 'LSTM_0' (LSTM): peepholes (input P) are not supported; Recur's LSTM has none"
                + " (an all-zero P is accepted)");
    }

    @Test
    void aLoneReverseDirectionIsBadInput() throws Exception {
        assertBadInput(lstm(4, 4, null, attr("direction", "reverse")),
                "node 'LSTM_0' (LSTM): direction reverse is not supported alone; Recur imports forward and bidirectional layers");
    }

    @Test
    void aMissingOutputDirectoryIsBadInput() throws Exception {
        Path onnx = dir.resolve("m.onnx"), out = dir.resolve("absent").resolve("m.safetensors");
        Files.write(onnx, lstm(4, 4, null));
        Result r = run("import", "onnx", "--model", onnx.toString(), "--out", out.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).isEqualTo("recur: " + out + ": no such directory " + out.getParent() + System.lineSeparator());
    }

    /** Random bytes, truncations and byte flips of a valid model: a format error or a stack, never anything else. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void fuzzedFilesGiveOnlyFormatErrors(int seed) {
        var random = new Random(seed);
        var g = Recurrent.of(RecurrentConfig.lstm(3, 4).withLayers(2).withDirections(2), new Rng(seed));
        byte[] valid = RecurrentExport.model(g, Inputs.ALL, 17).toByteArray();
        var inputs = new ArrayList<byte[]>();
        for (int i = 0; i < 40; i++) {
            byte[] b = new byte[random.nextInt(300)];
            random.nextBytes(b);
            inputs.add(b);
        }
        for (int i = 0; i < 40; i++) inputs.add(Arrays.copyOf(valid, random.nextInt(valid.length)));
        for (int i = 0; i < 40; i++) {
            byte[] b = valid.clone();
            for (int k = 0; k < 1 + random.nextInt(4); k++) b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            inputs.add(b);
        }
        for (byte[] b : inputs) {
            try {
                RecurrentImport.of("fuzz", OnnxModelReader.parse("fuzz", b)).recurrent();
            } catch (ModelFormatException e) {
                assertThat(e.getMessage()).startsWith("fuzz: ").doesNotContain("\n");
            } catch (RuntimeException | Error e) {
                fail("bytes " + Arrays.toString(Arrays.copyOf(b, 40)) + "... of " + b.length + " threw " + e, e);
            }
        }
    }

    /** One LSTM node (hidden_size {@code h}) with W, R [1, 4·{@code wh}, ·] and B, optional P, and extra attributes. */
    private static byte[] lstm(int h, int wh, Tensor p, AttributeProto... extra) {
        var g = new OnnxGraph("lstm");
        String x = g.input("X", FLOAT, "T", "B", 3);
        var rng = new Rng(2);
        var ins = new ArrayList<>(List.of(x, g.initializer("W", Tensor.randn(rng, 1, 4 * wh, 3)), g.initializer("R", Tensor.randn(rng, 1, 4 * wh, wh)),
                g.initializer("B", Tensor.randn(rng, 1, 8 * wh))));
        if (p != null) ins.addAll(List.of("", "", "", g.initializer("P", p)));
        var attrs = new ArrayList<AttributeProto>(List.of(attr("hidden_size", h)));
        attrs.addAll(Arrays.asList(extra));
        List<String> y = g.node("LSTM", ins, List.of("Y", "Y_h"), attrs.toArray(AttributeProto[]::new));
        g.output(y.get(1), FLOAT, 1, "B", h);
        return g.model(17, java.util.Map.of()).toByteArray();
    }

    private void assertBadInput(byte[] bytes, String message) throws Exception {
        Path onnx = dir.resolve("bad.onnx"), out = dir.resolve("bad.safetensors");
        Files.write(onnx, bytes);
        Result r = run("import", "onnx", "--model", onnx.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("recur: " + onnx + ": " + message).endsWith(System.lineSeparator());
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(out).doesNotExist();
    }
}
