package dev.recur.onnx;

import static dev.recur.onnx.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.io.SafeTensors;
import dev.recur.nn.Lengths;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentOutput;
import dev.recur.nn.RecurrentState;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Models that {@code torch.onnx.export} wrote for nn.LSTM, nn.GRU and nn.RNN (tanh, relu), written by
 * tools/reference/onnx_torch_reference.py into resources torch/: each imports as a Recur stack whose output, h_n and
 * c_n on the stored input and initial state are PyTorch's, to 1e-5 · max(1, |PyTorch|).
 */
class OnnxTorchImportTest {
    static Stream<String> cases() throws IOException, URISyntaxException {
        try (var files = Files.list(dir())) {
            var names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
            assertThat(names).hasSizeGreaterThanOrEqualTo(22);
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void importedStackGivesPyTorchsOutputs(String name) throws Exception {
        Path onnx = dir().resolve(name + ".onnx");
        Map<String, Tensor> ref = SafeTensors.read(dir().resolve(name + ".safetensors")).tensors();
        Recurrent rnn = OnnxImport.read(onnx);
        assertThat(rnn.config().batchFirst()).isEqualTo(name.contains("_bf_"));
        assertThat(rnn.config().bias()).isEqualTo(!name.contains("nobias"));

        Tensor x = ref.get("input");
        int t = x.shape()[rnn.config().batchFirst() ? 1 : 0], b = x.shape()[rnn.config().batchFirst() ? 0 : 1];
        int[] lengths = new int[b];
        Arrays.fill(lengths, t);
        RecurrentState state = !ref.containsKey("h0") ? null
                : ref.containsKey("c0") ? RecurrentState.of(ref.get("h0"), ref.get("c0")) : RecurrentState.of(ref.get("h0"));
        RecurrentOutput out;
        try (var off = Tape.noGrad()) {
            out = rnn.forward(Variable.of(x), Lengths.of(lengths), state);
        }
        assertClose("output", out.output().value(), "Recur", ref.get("output"), "PyTorch");
        assertClose("h_n", out.h().value(), "Recur", ref.get("h_n"), "PyTorch");
        if (ref.containsKey("c_n")) assertClose("c_n", out.c().value(), "Recur", ref.get("c_n"), "PyTorch");
    }

    private static Path dir() throws URISyntaxException {
        return Path.of(OnnxTorchImportTest.class.getResource("/torch/").toURI());
    }
}
