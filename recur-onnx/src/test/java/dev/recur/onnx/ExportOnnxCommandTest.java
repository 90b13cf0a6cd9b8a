package dev.recur.onnx;

import static dev.recur.onnx.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.cli.CliRun;
import dev.recur.cli.CliRun.Result;
import dev.recur.cli.ExitCodes;
import dev.recur.io.ModelFile;
import dev.recur.io.RecurrentModelFile;
import dev.recur.nn.Lengths;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentOutput;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recur export onnx} in process: the file it writes, and one-line errors with exit code 2 for bad input. */
class ExportOnnxCommandTest {
    @TempDir
    Path dir;

    /** Runs recur in process, capturing standard output and both error streams. */
    static Result run(String... args) {
        return CliRun.run("", args);
    }

    @Test
    void writesAGraphThatOnnxRuntimeRunsAsRecurDoes() throws Exception {
        var rng = new Rng(4);
        Recurrent lstm = Recurrent.of(RecurrentConfig.lstm(3, 4).withLayers(2).withDirections(2), rng);
        Path model = dir.resolve("lstm.safetensors"), onnx = dir.resolve("lstm.onnx");
        RecurrentModelFile.write(model, lstm);

        Result r = run("export", "onnx", "--model", model.toString(), "--out", onnx.toString());

        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.err()).contains("wrote " + onnx, "opset 17", "inputs input, lengths, h0, c0", "outputs output, h_n, c_n");
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(onnx));
        assertThat(proto.getMetadataProps(0).getValue()).isEqualTo(ModelFile.read(model).config().toString());
        Tensor x = Tensor.randn(rng, 5, 3, 3);
        long[] lengths = {5, 2, 4};
        var state = RecurrentExportTest.randomState(lstm, rng);   // B = 3
        Recurrent read = RecurrentModelFile.read(model);
        RecurrentOutput recur;
        try (var off = Tape.noGrad()) {
            recur = read.forward(Variable.of(x), Lengths.of(5, 2, 4), state);
        }
        Map<String, Tensor> ort = Ort.run(proto, RecurrentExportTest.feeds(x, lengths, state));
        assertClose("output", ort.get("output"), recur.output().value());
        assertClose("h_n", ort.get("h_n"), recur.h().value());
        assertClose("c_n", ort.get("c_n"), recur.c().value());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactlyInAnyOrder("lstm.safetensors", "lstm.onnx");
        }
    }

    @Test
    void opsetAndInputsOptionsShapeTheGraph() throws Exception {
        Path model = dir.resolve("gru.safetensors"), onnx = dir.resolve("gru.onnx");
        RecurrentModelFile.write(model, Recurrent.of(RecurrentConfig.gru(3, 4).withBatchFirst(), new Rng(2)));

        Result r = run("export", "onnx", "--model", model.toString(), "--out", onnx.toString(), "--opset", "14", "--inputs", "input");

        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(onnx));
        assertThat(proto.getOpsetImport(0).getVersion()).isEqualTo(14);
        assertThat(proto.getGraph().getInputList()).extracting(ValueInfoProto::getName).containsExactly("input");
        assertThat(proto.getGraph().getOutputList()).extracting(ValueInfoProto::getName).containsExactly("output", "h_n");
    }

    @Test
    void aProjectedLstmIsBadInputAndLeavesAnExistingFileAlone() throws Exception {
        Path model = dir.resolve("proj.safetensors"), onnx = dir.resolve("proj.onnx");
        RecurrentModelFile.write(model, Recurrent.of(RecurrentConfig.lstm(3, 4).withProjSize(2), new Rng(2)));
        Files.writeString(onnx, "old");

        Result r = run("export", "onnx", "--model", model.toString(), "--out", onnx.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).isEqualTo("recur: " + model + ": an LSTM with projection (proj_size=2) has no ONNX operator; Recur cannot export it" + System.lineSeparator());
        assertThat(Files.readString(onnx)).isEqualTo("old");
    }

    @Test
    void anUnsupportedOpsetIsBadInput() throws Exception {
        Path model = dir.resolve("rnn.safetensors");
        RecurrentModelFile.write(model, Recurrent.of(RecurrentConfig.rnn(3, 4), new Rng(2)));

        Result r = run("export", "onnx", "--model", model.toString(), "--out", dir.resolve("rnn.onnx").toString(), "--opset", "12");

        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).isEqualTo("recur: opset 12 is not supported; Recur exports ONNX opsets 14 to 17 (default 17)" + System.lineSeparator());
    }

    @Test
    void aMissingModelFileIsBadInput() {
        Path model = dir.resolve("absent.safetensors");

        Result r = run("export", "onnx", "--model", model.toString(), "--out", dir.resolve("absent.onnx").toString());

        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).isEqualTo("recur: " + model + ": no such file" + System.lineSeparator());
    }

    @Test
    void anOutputInAMissingDirectoryIsBadInput() throws Exception {
        Path model = dir.resolve("rnn.safetensors"), out = dir.resolve("absent").resolve("rnn.onnx");
        RecurrentModelFile.write(model, Recurrent.of(RecurrentConfig.rnn(3, 4), new Rng(2)));

        Result r = run("export", "onnx", "--model", model.toString(), "--out", out.toString());

        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).isEqualTo("recur: " + out + ": no such directory " + out.getParent() + System.lineSeparator());
    }

    @Test
    void anUnknownInputsChoiceIsBadInput() {
        Result r = run("export", "onnx", "--model", "m.safetensors", "--out", "m.onnx", "--inputs", "state");

        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("--inputs", "state");
    }

    @Test
    void helpShowsExamplesAndTheRootListsExportUnderModels() {
        Result help = run("export", "onnx", "--help");
        assertThat(help.code()).isEqualTo(ExitCodes.OK);
        assertThat(help.out()).contains("--opset", "--inputs", "Examples:", "recur export onnx --model lstm.safetensors --out lstm.onnx");

        Result root = run("--help");
        assertThat(root.out()).containsPattern("Models:\\R(  .*\\R)*  export +Write a model in another format");
    }
}
