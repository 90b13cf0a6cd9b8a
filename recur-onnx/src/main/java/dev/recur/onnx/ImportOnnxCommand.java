package dev.recur.onnx;

import dev.recur.cli.ExitCodes;
import dev.recur.io.RecurrentModelFile;
import dev.recur.nn.Recurrent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code recur import onnx}: an ONNX graph of RNN, GRU or LSTM nodes as a Recur model file ({@link RecurrentImport}). */
@Command(name = "onnx", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Read an ONNX graph of RNN, GRU or LSTM nodes as a Recur recurrent stack.",
        footer = {"%nAccepted: a chain of RNN, GRU or LSTM nodes from the graph input, one",
                "per layer, forward or bidirectional, one cell type and hidden size,",
                "with weights stored in the model, and the glue torch.onnx.export writes",
                "around nn.LSTM, nn.GRU and nn.RNN. Refused, naming the node: other",
                "operators, clip, input_forget, other activations, a lone reverse",
                "direction, LSTM peepholes (unless all zero).",
                "%nExamples:",
                "  recur import onnx --model lstm.onnx --out lstm.safetensors",
                "  recur encode --model lstm.safetensors --input x.json > y.json"})
final class ImportOnnxCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The ONNX file to read, e.g. lstm.onnx.")
    Path model;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The model file to write, e.g. lstm.safetensors.")
    Path out;

    @Override
    public Integer call() throws IOException {
        Recurrent rnn = OnnxImport.read(model);
        Path parent = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) throw new NoSuchFileException(out + ": no such directory " + parent);
        RecurrentModelFile.write(out, rnn);
        System.err.printf("wrote %s: %s%n", out, rnn.config().describe());
        return ExitCodes.OK;
    }
}
